/* A thin C shim over libsrtp2 for the SRTP bench (benches/src/srtp.rs): it fills the
 * srtp_policy_t, whose layout is libsrtp's business, so the Rust side only declares
 * these few functions. Profiles are named by their DTLS `use_srtp` ids (RFC 5764,
 * RFC 7714); the key is the master key followed by the master salt, as libsrtp wants it. */
#include <arpa/inet.h>
#include <srtp2/srtp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

const char *rtcam_srtp_version(void) { return srtp_get_version_string(); }

int rtcam_srtp_init(void) { return (int)srtp_init(); }

/* The bytes srtp_protect may write after the packet (its documented requirement). */
size_t rtcam_srtp_max_trailer(void) { return SRTP_MAX_TRAILER_LEN; }

/* Creates a context for one direction (any SSRC) of `profile`; `key` holds `key_len`
 * bytes (master key || master salt). Returns 0 and sets *out, or an error code:
 * -1 unknown profile, -2 wrong key length, else libsrtp's srtp_err_status_t. */
int rtcam_srtp_create(srtp_t *out, int profile, const uint8_t *key, size_t key_len,
                      int inbound) {
  srtp_policy_t p;
  size_t want;
  memset(&p, 0, sizeof p);
  switch (profile) {
  case 0x0001: /* SRTP_AES128_CM_HMAC_SHA1_80 */
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    want = 16 + 14;
    break;
  case 0x0002: /* SRTP_AES128_CM_HMAC_SHA1_32: SRTCP keeps the 80-bit tag */
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    want = 16 + 14;
    break;
  case 0x0007: /* SRTP_AEAD_AES_128_GCM */
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
    want = 16 + 12;
    break;
  case 0x0008: /* SRTP_AEAD_AES_256_GCM */
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
    want = 32 + 12;
    break;
  default:
    return -1;
  }
  if (key_len != want)
    return -2;
  p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  /* srtp_create copies the key into the session keys: it is not kept. */
  p.key = (unsigned char *)key;
  p.window_size = 128;
  p.allow_repeat_tx = 0;
  p.next = NULL;
  return (int)srtp_create(out, &p);
}

int rtcam_srtp_protect(srtp_t ctx, uint8_t *pkt, int *len) {
  return (int)srtp_protect(ctx, pkt, len);
}

int rtcam_srtp_unprotect(srtp_t ctx, uint8_t *pkt, int *len) {
  return (int)srtp_unprotect(ctx, pkt, len);
}

/* Removes the stream of `ssrc` (host byte order) that an ssrc_any_inbound session made
 * for it; the session's next packet from that SSRC starts a new one from the template. */
int rtcam_srtp_remove_stream(srtp_t ctx, uint32_t ssrc) {
  return (int)srtp_remove_stream(ctx, htonl(ssrc));
}

void rtcam_srtp_dealloc(srtp_t ctx) { srtp_dealloc(ctx); }
