package shop;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import javax.crypto.Cipher;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509TrustManager;
import org.apache.http.conn.ssl.NoopHostnameVerifier;

class Digests {
  byte[] legacy(byte[] data) throws Exception {
    // ruleid: guard.java.weak-hash
    return MessageDigest.getInstance("MD5").digest(data);
  }

  byte[] sha1(byte[] data) throws Exception {
    // ruleid: guard.java.weak-hash
    return MessageDigest.getInstance("SHA-1").digest(data);
  }

  byte[] modern(byte[] data) throws Exception {
    // ok: guard.java.weak-hash
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}

class Ciphers {
  Cipher ecb() throws Exception {
    // ruleid: guard.java.weak-cipher
    return Cipher.getInstance("AES");
  }

  Cipher des() throws Exception {
    // ruleid: guard.java.weak-cipher
    return Cipher.getInstance("DES/CBC/PKCS5Padding");
  }

  Cipher explicitEcb() throws Exception {
    // ruleid: guard.java.weak-cipher
    return Cipher.getInstance("AES/ECB/PKCS5Padding");
  }

  Cipher gcm() throws Exception {
    // ok: guard.java.weak-cipher
    return Cipher.getInstance("AES/GCM/NoPadding");
  }

  Cipher rsa() throws Exception {
    // ok: guard.java.weak-cipher
    return Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
  }
}

class TrustEveryone implements X509TrustManager {
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  // ruleid: guard.java.trust-all-certificates
  public void checkServerTrusted(X509Certificate[] chain, String authType) {}

  public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}

class Hosts {
  HostnameVerifier any() {
    // ruleid: guard.java.trust-all-certificates
    return (String host, SSLSession session) -> true;
  }

  Object noop() {
    // ruleid: guard.java.trust-all-certificates
    return NoopHostnameVerifier.INSTANCE;
  }

  HostnameVerifier checked(HostnameVerifier base) {
    // ok: guard.java.trust-all-certificates
    return (String host, SSLSession session) -> base.verify(host, session);
  }
}
