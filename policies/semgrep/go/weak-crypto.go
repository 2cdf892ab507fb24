package shop

import (
	"crypto/aes"
	"crypto/des"
	"crypto/md5"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"math/rand"
)

func hashPassword(pw string) string {
	// ruleid: guard.go.weak-hash
	return fmt.Sprintf("%x", md5.Sum([]byte(pw)))
}

func checksum(b []byte) [32]byte {
	// ok: guard.go.weak-hash
	return sha256.Sum256(b)
}

func legacyCipher(key []byte) error {
	// ruleid: guard.go.weak-cipher
	_, err := des.NewCipher(key)
	return err
}

func modernCipher(key []byte) error {
	// ok: guard.go.weak-cipher
	_, err := aes.NewCipher(key)
	return err
}

func smallKey() (*rsa.PrivateKey, error) {
	// ruleid: guard.go.rsa-small-key
	return rsa.GenerateKey(cryptorand.Reader, 1024)
}

func goodKey() (*rsa.PrivateKey, error) {
	// ok: guard.go.rsa-small-key
	return rsa.GenerateKey(cryptorand.Reader, 3072)
}

func newResetToken() string {
	// ruleid: guard.go.insecure-random
	resetToken := fmt.Sprintf("%d", rand.Int63())
	return resetToken
}

func jitter() int {
	// ok: guard.go.insecure-random
	delay := rand.Intn(100)
	return delay
}
