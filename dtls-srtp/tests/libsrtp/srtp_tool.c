/*
 * srtp_tool: libsrtp2 behind a line protocol, for dtls-srtp/tests/interop_libsrtp.rs.
 * The test compiles it at test time (cc + pkg-config libsrtp2) and talks to it over
 * stdin/stdout; no FFI on the Rust side.
 *
 *   srtp_tool PROFILE KEY_HEX SALT_HEX WINDOW
 *
 * PROFILE is AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM or
 * AEAD_AES_256_GCM (SRTCP of the _32 profile uses the 80-bit tag, RFC 5764 §4.1.2).
 * libsrtp's key buffer is KEY || SALT. Two sessions share the key: a sender
 * (ssrc_any_outbound) and a receiver (ssrc_any_inbound), replay window WINDOW packets,
 * allow_repeat_tx 0.
 *
 * It first writes "READY <libsrtp version>", then answers each input line
 *
 *   protect_rtp HEX | unprotect_rtp HEX | protect_rtcp HEX | unprotect_rtcp HEX
 *
 * with one line: "OK HEX" (the packet after the call) or "ERR <srtp_err_status_t>".
 * A malformed request line is fatal (message on stderr, exit status 2).
 */
#define _POSIX_C_SOURCE 200809L /* getline */

#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room after a packet for what srtp_protect / srtp_protect_rtcp append. */
#define ROOM (SRTP_MAX_TRAILER_LEN + 64)

static _Noreturn void die(const char *what, const char *detail)
{
    fprintf(stderr, "srtp_tool: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex into out (cap bytes); returns the length, or -1 if not hex or too long. */
static long unhex(const char *s, size_t n, unsigned char *out, size_t cap)
{
    if (n % 2 != 0 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

static void put_hex(const unsigned char *p, int n)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        putchar(digits[p[i] >> 4]);
        putchar(digits[p[i] & 15]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) die("usage", "srtp_tool PROFILE KEY_HEX SALT_HEX WINDOW");
    const char *profile = argv[1];

    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    size_t key_len, salt_len;
    if (strcmp(profile, "AES_CM_128_HMAC_SHA1_80") == 0) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        key_len = 16;
        salt_len = 14;
    } else if (strcmp(profile, "AES_CM_128_HMAC_SHA1_32") == 0) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        key_len = 16;
        salt_len = 14;
    } else if (strcmp(profile, "AEAD_AES_128_GCM") == 0) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        key_len = 16;
        salt_len = 12;
    } else if (strcmp(profile, "AEAD_AES_256_GCM") == 0) {
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        key_len = 32;
        salt_len = 12;
    } else {
        die("unknown profile", profile);
    }

    /* KEY || SALT, as libsrtp wants it. */
    unsigned char key[64];
    if (unhex(argv[2], strlen(argv[2]), key, sizeof key) != (long)key_len)
        die("bad master key for the profile", argv[2]);
    if (unhex(argv[3], strlen(argv[3]), key + key_len, sizeof key - key_len) != (long)salt_len)
        die("bad master salt for the profile", argv[3]);
    char *end;
    unsigned long window = strtoul(argv[4], &end, 10);
    if (*end != '\0') die("bad window", argv[4]);

    srtp_err_status_t st = srtp_init();
    if (st) {
        fprintf(stderr, "srtp_tool: srtp_init failed: %d\n", (int)st);
        return 2;
    }
    policy.key = key;
    policy.window_size = window;
    policy.allow_repeat_tx = 0;
    policy.next = NULL;

    srtp_t tx, rx;
    policy.ssrc.type = ssrc_any_outbound;
    st = srtp_create(&tx, &policy);
    if (st) {
        fprintf(stderr, "srtp_tool: srtp_create (sender) failed: %d\n", (int)st);
        return 2;
    }
    policy.ssrc.type = ssrc_any_inbound;
    st = srtp_create(&rx, &policy);
    if (st) {
        fprintf(stderr, "srtp_tool: srtp_create (receiver) failed: %d\n", (int)st);
        return 2;
    }

    printf("READY %s\n", srtp_get_version_string());
    fflush(stdout);

    char *line = NULL;
    size_t line_cap = 0;
    unsigned char *buf = NULL;
    size_t buf_cap = 0;
    ssize_t got;
    while ((got = getline(&line, &line_cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        char *space = strchr(line, ' ');
        const char *hex = space ? space + 1 : "";
        if (space) *space = '\0';
        size_t hex_len = strlen(hex);
        if (buf_cap < hex_len / 2 + ROOM) {
            buf_cap = hex_len / 2 + ROOM;
            buf = realloc(buf, buf_cap);
            if (!buf) die("out of memory", NULL);
        }
        long len = unhex(hex, hex_len, buf, buf_cap - ROOM);
        if (len < 0) die("not hex", hex);
        int n_out = (int)len;

        if (strcmp(line, "protect_rtp") == 0) {
            st = srtp_protect(tx, buf, &n_out);
        } else if (strcmp(line, "unprotect_rtp") == 0) {
            st = srtp_unprotect(rx, buf, &n_out);
        } else if (strcmp(line, "protect_rtcp") == 0) {
            st = srtp_protect_rtcp(tx, buf, &n_out);
        } else if (strcmp(line, "unprotect_rtcp") == 0) {
            st = srtp_unprotect_rtcp(rx, buf, &n_out);
        } else {
            die("unknown operation", line);
        }

        if (st) {
            printf("ERR %d\n", (int)st);
        } else {
            fputs("OK ", stdout);
            put_hex(buf, n_out);
            putchar('\n');
        }
        fflush(stdout);
    }

    free(line);
    free(buf);
    srtp_dealloc(tx);
    srtp_dealloc(rx);
    srtp_shutdown();
    return 0;
}
