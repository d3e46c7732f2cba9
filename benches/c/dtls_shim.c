/* A thin C shim over OpenSSL 3 for the DTLS handshake bench (benches/src/dtls_handshake.rs):
 * the peer row is one complete DTLS 1.2 handshake between an OpenSSL client and an OpenSSL
 * server in this thread, configured the way WebRTC stacks configure OpenSSL for DTLS-SRTP:
 * ECDHE-ECDSA-AES128-GCM-SHA256 on P-256, use_srtp, extended master secret (OpenSSL's
 * default), no HelloVerifyRequest, no session tickets or session cache, both sides present
 * a self-signed P-256 certificate that the other accepts in a verify callback and then pins
 * by its SHA-256 fingerprint, and both export the DTLS-SRTP keying material.
 *
 * Datagrams go through memory BIOs (BIO_s_mem): after each SSL_do_handshake the bytes one
 * side wrote are moved into the other side's read BIO. A whole flight thus arrives as one
 * buffer of several records, which DTLS reads like one datagram holding several records.
 * The path MTU is set by hand (SSL_OP_NO_QUERY_MTU + SSL_set_mtu): a memory BIO has none. */
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SRTP_PROFILES                                                                  \
  "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:"                \
  "SRTP_AES128_CM_SHA1_32"
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"

const char *rtcam_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }

/* Both contexts, made once; each handshake makes two SSL objects from them. */
typedef struct rtcam_dtls_fixture {
  SSL_CTX *ctx[2]; /* [0] client, [1] server */
  /* SHA-256 of each side's certificate: what the other side pins. */
  unsigned char fp[2][32];
  long mtu;
} rtcam_dtls_fixture;

/* WebRTC pins the peer by the fingerprint from SDP, not by a CA: accept any chain here
 * (the self-signed certificate fails OpenSSL's chain check), check the pin afterwards. */
static int accept_any(int preverify_ok, X509_STORE_CTX *store) {
  (void)preverify_ok;
  (void)store;
  return 1;
}

/* A P-256 key and a self-signed X.509 v3 certificate (ecdsa-with-SHA256, CN=rtcam,
 * 30 days), like the ones WebRTC stacks generate per connection. */
static int make_identity(EVP_PKEY **key_out, X509 **cert_out) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_NAME *name = NULL;
  int ok = 0;
  if (key == NULL || x == NULL)
    goto done;
  if (!X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 0x5ea1c0de))
    goto done;
  if (X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
      X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) == NULL)
    goto done;
  name = X509_get_subject_name(x);
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtcam",
                                  -1, -1, 0) ||
      !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key) ||
      X509_sign(x, key, EVP_sha256()) == 0)
    goto done;
  ok = 1;
done:
  if (!ok) {
    EVP_PKEY_free(key);
    X509_free(x);
    return -1;
  }
  *key_out = key;
  *cert_out = x;
  return 0;
}

static SSL_CTX *make_ctx(EVP_PKEY *key, X509 *cert) {
  SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
  if (ctx == NULL)
    return NULL;
  if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) ||
      !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
      !SSL_CTX_set1_groups_list(ctx, "P-256") ||
      !SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256") ||
      /* Returns 0 on success (unlike the rest of the API). */
      SSL_CTX_set_tlsext_use_srtp(ctx, SRTP_PROFILES) != 0 ||
      !SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_use_PrivateKey(ctx, key) ||
      !SSL_CTX_check_private_key(ctx)) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  /* Both sides require and accept the peer's certificate (the server sends a
   * CertificateRequest, as WebRTC needs the client's certificate too). */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
  return ctx;
}

void rtcam_dtls_fixture_free(rtcam_dtls_fixture *f) {
  if (f == NULL)
    return;
  SSL_CTX_free(f->ctx[0]);
  SSL_CTX_free(f->ctx[1]);
  free(f);
}

/* Generates both identities and contexts. NULL on failure. */
rtcam_dtls_fixture *rtcam_dtls_fixture_new(long mtu) {
  rtcam_dtls_fixture *f = calloc(1, sizeof *f);
  if (f == NULL)
    return NULL;
  f->mtu = mtu;
  for (int i = 0; i < 2; i++) {
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    unsigned int n = 0;
    if (make_identity(&key, &cert) != 0) {
      rtcam_dtls_fixture_free(f);
      return NULL;
    }
    f->ctx[i] = make_ctx(key, cert);
    int digested = X509_digest(cert, EVP_sha256(), f->fp[i], &n) && n == 32;
    /* The context holds its own references. */
    EVP_PKEY_free(key);
    X509_free(cert);
    if (f->ctx[i] == NULL || !digested) {
      rtcam_dtls_fixture_free(f);
      return NULL;
    }
  }
  return f;
}

/* Moves everything `from` wrote into `to`'s read BIO. Returns bytes moved or -1. */
static int shuttle(BIO *from, BIO *to) {
  char *data = NULL;
  long n = BIO_get_mem_data(from, &data);
  if (n <= 0)
    return 0;
  if (BIO_write(to, data, (int)n) != (int)n)
    return -1;
  (void)BIO_reset(from);
  return (int)n;
}

/* Whether `ssl`'s peer certificate hashes to `want` (32 bytes, SHA-256). */
static int pinned(SSL *ssl, const unsigned char *want) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509 *peer = SSL_get0_peer_certificate(ssl);
  return peer != NULL && X509_digest(peer, EVP_sha256(), md, &n) && n == 32 &&
         CRYPTO_memcmp(md, want, 32) == 0;
}

/* One complete handshake. On success returns 0 and writes `km_len` bytes of each side's
 * exported keying material (client's into km_client, server's into km_server) and the
 * negotiated SRTP profile id into *profile. Errors: -1 setup, -2 handshake failed or
 * stalled, -3 no SRTP profile / no EMS / wrong suite, -4 fingerprint mismatch, -5 export. */
int rtcam_dtls_handshake(rtcam_dtls_fixture *f, uint8_t *km_client, uint8_t *km_server,
                         size_t km_len, int *profile) {
  SSL *ssl[2] = {NULL, NULL};
  BIO *rd[2] = {NULL, NULL}, *wr[2] = {NULL, NULL};
  int owned[2] = {0, 0}; /* whether ssl[i] owns rd[i] and wr[i] */
  int rc = -1;
  for (int i = 0; i < 2; i++) {
    ssl[i] = SSL_new(f->ctx[i]);
    rd[i] = BIO_new(BIO_s_mem());
    wr[i] = BIO_new(BIO_s_mem());
    if (ssl[i] == NULL || rd[i] == NULL || wr[i] == NULL)
      goto done;
    /* An empty read BIO means "try again later", not EOF. */
    BIO_set_mem_eof_return(rd[i], -1);
    BIO_set_mem_eof_return(wr[i], -1);
    SSL_set_bio(ssl[i], rd[i], wr[i]); /* the SSL owns them from here */
    owned[i] = 1;
    if (!SSL_set_mtu(ssl[i], f->mtu))
      goto done;
  }
  SSL_set_connect_state(ssl[0]);
  SSL_set_accept_state(ssl[1]);

  rc = -2;
  /* A clean handshake is 4 flights; bound the loop in case one side stalls. */
  for (int round = 0; round < 16; round++) {
    int done = 1;
    for (int i = 0; i < 2; i++) {
      if (!SSL_is_init_finished(ssl[i])) {
        int r = SSL_do_handshake(ssl[i]);
        if (r <= 0) {
          int e = SSL_get_error(ssl[i], r);
          if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            goto done;
        }
      }
      if (shuttle(wr[i], rd[1 - i]) < 0)
        goto done;
    }
    for (int i = 0; i < 2; i++)
      done &= SSL_is_init_finished(ssl[i]);
    if (done) {
      rc = 0;
      break;
    }
  }
  if (rc != 0)
    goto done;

  rc = -3;
  for (int i = 0; i < 2; i++) {
    SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(ssl[i]);
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl[i]);
    if (p == NULL || !SSL_get_extms_support(ssl[i]) || c == NULL ||
        SSL_CIPHER_get_protocol_id(c) != 0xc02b)
      goto done;
    *profile = (int)p->id;
  }
  rc = -4;
  if (!pinned(ssl[0], f->fp[1]) || !pinned(ssl[1], f->fp[0]))
    goto done;
  rc = -5;
  if (SSL_export_keying_material(ssl[0], km_client, km_len, EXPORTER_LABEL,
                                 strlen(EXPORTER_LABEL), NULL, 0, 0) != 1 ||
      SSL_export_keying_material(ssl[1], km_server, km_len, EXPORTER_LABEL,
                                 strlen(EXPORTER_LABEL), NULL, 0, 0) != 1)
    goto done;
  rc = 0;
done:
  if (rc != 0)
    ERR_clear_error();
  for (int i = 0; i < 2; i++) {
    SSL_free(ssl[i]); /* NULL is fine; frees its BIOs once they are set */
    if (!owned[i]) {
      BIO_free(rd[i]);
      BIO_free(wr[i]);
    }
  }
  return rc;
}
