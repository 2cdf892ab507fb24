package shop

import (
	"crypto/tls"
	"net/http"
)

func paymentClient() *http.Client {
	tr := &http.Transport{
		// ruleid: guard.go.tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	return &http.Client{Transport: tr}
}

func paymentClientOK() *http.Client {
	tr := &http.Transport{
		// ok: guard.go.tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &http.Client{Transport: tr}
}

func legacyServerConfig() *tls.Config {
	// ruleid: guard.go.tls-min-version-too-low
	return &tls.Config{MinVersion: tls.VersionTLS10}
}

func serverConfig() *tls.Config {
	// ok: guard.go.tls-min-version-too-low
	return &tls.Config{MinVersion: tls.VersionTLS13}
}
