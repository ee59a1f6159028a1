/*
 * src/security/sign.c -- ed25519 signatures (libsodium) over a module and its manifest, the
 * detached .sig file, and key files.
 *
 * What is signed: the 85-byte message "airssys-signature-v1" NUL || SHA-256(module) ||
 * SHA-256(manifest) (a missing manifest is hashed as empty). The domain prefix keeps a
 * signature from being reused for anything else. The .sig file is text (docs/security.md):
 *
 *   airssys-signature-v1
 *   algorithm: ed25519
 *   key: <64 hex: the signer's public key>
 *   module-sha256: <64 hex>
 *   manifest-sha256: <64 hex>
 *   signature: <128 hex>
 *
 * Verification checks the signature over the recorded hashes first (a bad signature means the
 * .sig was altered or made with another key), then compares the recorded hashes with the files
 * (saying whether the module or the manifest changed), then the signer against the expected key.
 * Key files: <prefix>.pub holds the public key in hex; <prefix>.key holds
 * "airssys-ed25519-secret-v1" and the 64-byte secret key in hex, mode 0600.
 *
 * Invariants: secret keys on the stack are wiped (sodium_memzero) before returning.
 * Not done: key encryption at rest, certificate chains, revocation.
 */
#include "security/sec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_MAGIC    "airssys-signature-v1"
#define SECRET_MAGIC "airssys-ed25519-secret-v1"

static int init(asw_error_t *err)
{
    if (sodium_init() < 0) return asw__errorf(err, ASW_E_CRYPTO, "libsodium failed to initialise");
    return ASW_OK;
}

ASW_API int asw_sha256(const void *data, size_t len, uint8_t out[ASW_SHA256_BYTES])
{
    if (!out || (!data && len)) return ASW_E_INVALID;
    if (init(NULL)) return ASW_E_CRYPTO;
    static const uint8_t empty = 0;
    crypto_hash_sha256(out, data ? data : &empty, len);
    return ASW_OK;
}

ASW_API void asw_hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

ASW_API int asw_sig_parse_public_key(const char *text, uint8_t out[ASW_SIG_PUBLIC_KEY_BYTES],
                                     asw_error_t *out_err)
{
    if (!text || !out) return asw__errorf(out_err, ASW_E_INVALID, "public key: NULL argument");
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n' ||
                 text[n - 1] == '\r'))
        n--;
    if (n == 64 && !asw__sec_hex_decode(text, n, out, 32)) return ASW_OK;
    if (n == 44) {
        if (init(out_err)) return ASW_E_CRYPTO;
        size_t bin_len = 0;
        const char *end = NULL;
        if (!sodium_base642bin(out, 32, text, n, NULL, &bin_len, &end,
                               sodium_base64_VARIANT_ORIGINAL) &&
            bin_len == 32 && end == text + n)
            return ASW_OK;
    }
    return asw__errorf(out_err, ASW_E_PARSE,
                       "public key: expected 64 hex digits or 44 base64 characters (ed25519)");
}

ASW_API int asw_sig_keygen(uint8_t out_pk[ASW_SIG_PUBLIC_KEY_BYTES],
                           uint8_t out_sk[ASW_SIG_SECRET_KEY_BYTES], asw_error_t *out_err)
{
    if (!out_pk || !out_sk) return asw__errorf(out_err, ASW_E_INVALID, "keygen: NULL argument");
    if (init(out_err)) return ASW_E_CRYPTO;
    if (crypto_sign_keypair(out_pk, out_sk))
        return asw__errorf(out_err, ASW_E_CRYPTO, "keygen: key generation failed");
    return ASW_OK;
}

/* Writes text to a new file (O_EXCL) with mode; ASW_E_EXISTS if it exists. */
static int write_new(const char *path, const char *text, mode_t mode, asw_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            return asw__errorf(err, ASW_E_EXISTS, "'%s' exists: not overwriting a key", path);
        return asw__errorf(err, ASW_E_IO, "cannot create '%s': %s", path, strerror(errno));
    }
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int rc = (w == (ssize_t)n && fsync(fd) == 0)
                 ? ASW_OK
                 : asw__errorf(err, ASW_E_IO, "writing '%s' failed", path);
    close(fd);
    return rc;
}

ASW_API int asw_sig_write_keys(const char *prefix, const uint8_t pk[ASW_SIG_PUBLIC_KEY_BYTES],
                               const uint8_t sk[ASW_SIG_SECRET_KEY_BYTES], asw_error_t *out_err)
{
    if (!prefix || !pk || !sk) return asw__errorf(out_err, ASW_E_INVALID, "write keys: NULL");
    char pub_path[ASW_PATH_MAX], key_path[ASW_PATH_MAX];
    if (snprintf(pub_path, sizeof pub_path, "%s.pub", prefix) >= (int)sizeof pub_path ||
        snprintf(key_path, sizeof key_path, "%s.key", prefix) >= (int)sizeof key_path)
        return asw__errorf(out_err, ASW_E_INVALID, "write keys: path too long");
    if (access(pub_path, F_OK) == 0)
        return asw__errorf(out_err, ASW_E_EXISTS, "'%s' exists: not overwriting a key", pub_path);
    char text[sizeof SECRET_MAGIC + 2 * ASW_SIG_SECRET_KEY_BYTES + 4];
    char hex[2 * ASW_SIG_SECRET_KEY_BYTES + 1];
    asw_hex_encode(sk, ASW_SIG_SECRET_KEY_BYTES, hex);
    snprintf(text, sizeof text, "%s\n%s\n", SECRET_MAGIC, hex);
    int rc = write_new(key_path, text, 0600, out_err);
    sodium_memzero(text, sizeof text);
    sodium_memzero(hex, sizeof hex);
    if (rc) return rc;
    asw_hex_encode(pk, ASW_SIG_PUBLIC_KEY_BYTES, hex);
    snprintf(text, sizeof text, "%s\n", hex);
    rc = write_new(pub_path, text, 0644, out_err);
    if (rc) unlink(key_path);
    return rc;
}

ASW_API int asw_sig_read_secret_key(const char *path, uint8_t out_sk[ASW_SIG_SECRET_KEY_BYTES],
                                    asw_error_t *out_err)
{
    if (!path || !out_sk) return asw__errorf(out_err, ASW_E_INVALID, "secret key: NULL");
    uint8_t *buf;
    size_t n;
    int rc = asw__read_file(path, 0, &buf, &n, out_err);
    if (rc) return rc;
    size_t ml = strlen(SECRET_MAGIC);
    const char *t = (const char *)buf;
    size_t hl = 2 * ASW_SIG_SECRET_KEY_BYTES;
    if (n < ml + 1 + hl || memcmp(t, SECRET_MAGIC "\n", ml + 1) ||
        asw__sec_hex_decode(t + ml + 1, hl, out_sk, ASW_SIG_SECRET_KEY_BYTES) ||
        (n > ml + 1 + hl && t[ml + 1 + hl] != '\n')) {
        rc = asw__errorf(out_err, ASW_E_PARSE, "'%s' is not an airssys secret key file", path);
    } else {
        uint8_t pk[32];
        if (init(out_err))
            rc = ASW_E_CRYPTO;
        else if (crypto_sign_ed25519_sk_to_pk(pk, out_sk) || memcmp(pk, out_sk + 32, 32))
            rc = asw__errorf(out_err, ASW_E_PARSE, "'%s': corrupt secret key", path);
    }
    sodium_memzero(buf, n);
    asw__free(buf);
    return rc;
}

ASW_API int asw_sig_read_public_key(const char *path, uint8_t out_pk[ASW_SIG_PUBLIC_KEY_BYTES],
                                    asw_error_t *out_err)
{
    if (!path || !out_pk) return asw__errorf(out_err, ASW_E_INVALID, "public key: NULL");
    uint8_t *buf;
    size_t n;
    int rc = asw__read_file(path, 0, &buf, &n, out_err);
    if (rc) return rc;
    char text[128];
    if (n >= sizeof text) {
        rc = asw__errorf(out_err, ASW_E_PARSE, "'%s' is not a public key file", path);
    } else {
        memcpy(text, buf, n);
        text[n] = '\0';
        rc = asw_sig_parse_public_key(text, out_pk, out_err);
        if (rc) asw__error_prefix(out_err, "%s: ", path);
    }
    asw__free(buf);
    return rc;
}

static void signed_message(const uint8_t mh[32], const uint8_t fh[32], uint8_t msg[85])
{
    memcpy(msg, SIG_MAGIC, 20);
    msg[20] = 0;
    memcpy(msg + 21, mh, 32);
    memcpy(msg + 53, fh, 32);
}

ASW_API int asw_sig_sign(const uint8_t sk[ASW_SIG_SECRET_KEY_BYTES], const uint8_t *module,
                         size_t module_len, const uint8_t *manifest, size_t manifest_len,
                         char out[ASW_SIG_TEXT_MAX], asw_error_t *out_err)
{
    if (!sk || !out || (!module && module_len) || (!manifest && manifest_len))
        return asw__errorf(out_err, ASW_E_INVALID, "sign: bad argument");
    if (init(out_err)) return ASW_E_CRYPTO;
    uint8_t mh[32], fh[32], msg[85], sig[crypto_sign_BYTES];
    asw_sha256(module, module_len, mh);
    asw_sha256(manifest, manifest_len, fh);
    signed_message(mh, fh, msg);
    if (crypto_sign_detached(sig, NULL, msg, sizeof msg, sk))
        return asw__errorf(out_err, ASW_E_CRYPTO, "sign: signing failed");
    char kh[65], mhh[65], fhh[65], sh[129];
    asw_hex_encode(sk + 32, 32, kh);
    asw_hex_encode(mh, 32, mhh);
    asw_hex_encode(fh, 32, fhh);
    asw_hex_encode(sig, sizeof sig, sh);
    snprintf(out, ASW_SIG_TEXT_MAX,
             SIG_MAGIC "\nalgorithm: ed25519\nkey: %s\nmodule-sha256: %s\nmanifest-sha256: "
                       "%s\nsignature: %s\n",
             kh, mhh, fhh, sh);
    return ASW_OK;
}

/* Finds "name: <hex>" on its own line in text and decodes n bytes. */
static int sig_field(const char *text, size_t len, const char *name, uint8_t *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        size_t ll = (size_t)(eol - p);
        if (ll && p[ll - 1] == '\r') ll--;
        if (ll > nl + 2 && !memcmp(p, name, nl) && p[nl] == ':' && p[nl + 1] == ' ')
            return asw__sec_hex_decode(p + nl + 2, ll - nl - 2, out, n);
        p = eol + 1;
    }
    return -1;
}

ASW_API int asw_sig_verify(const char *sig_text, size_t sig_len, const uint8_t *module,
                           size_t module_len, const uint8_t *manifest, size_t manifest_len,
                           const uint8_t *expected_key,
                           uint8_t out_signer[ASW_SIG_PUBLIC_KEY_BYTES], asw_error_t *out_err)
{
    if (!sig_text || (!module && module_len) || (!manifest && manifest_len))
        return asw__errorf(out_err, ASW_E_INVALID, "verify: bad argument");
    if (init(out_err)) return ASW_E_CRYPTO;
    uint8_t key[32], rmh[32], rfh[32], sig[crypto_sign_BYTES], mh[32], fh[32], msg[85];
    size_t ml = strlen(SIG_MAGIC);
    if (sig_len < ml + 1 || memcmp(sig_text, SIG_MAGIC, ml) ||
        (sig_text[ml] != '\n' && sig_text[ml] != '\r'))
        return asw__errorf(out_err, ASW_E_PARSE, "not an airssys signature file (bad header)");
    const char *algo = "algorithm: ed25519";
    bool has_algo = false;
    for (const char *p = sig_text; p + strlen(algo) <= sig_text + sig_len; p++)
        if ((p == sig_text || p[-1] == '\n') && !memcmp(p, algo, strlen(algo))) has_algo = true;
    if (!has_algo)
        return asw__errorf(out_err, ASW_E_PARSE, "signature file: algorithm must be ed25519");
    if (sig_field(sig_text, sig_len, "key", key, 32) ||
        sig_field(sig_text, sig_len, "module-sha256", rmh, 32) ||
        sig_field(sig_text, sig_len, "manifest-sha256", rfh, 32) ||
        sig_field(sig_text, sig_len, "signature", sig, sizeof sig))
        return asw__errorf(out_err, ASW_E_PARSE,
                           "signature file: a field (key, module-sha256, manifest-sha256, "
                           "signature) is missing or malformed");
    signed_message(rmh, rfh, msg);
    if (crypto_sign_verify_detached(sig, msg, sizeof msg, key))
        return asw__errorf(out_err, ASW_E_SIGNATURE,
                           "signature is invalid: the .sig file was altered or not made by the "
                           "key it names");
    asw_sha256(module, module_len, mh);
    asw_sha256(manifest, manifest_len, fh);
    if (sodium_memcmp(mh, rmh, 32))
        return asw__errorf(out_err, ASW_E_SIGNATURE,
                           "module was modified after signing (SHA-256 differs from the "
                           "signature file)");
    if (sodium_memcmp(fh, rfh, 32))
        return asw__errorf(out_err, ASW_E_SIGNATURE,
                           "manifest was modified after signing (SHA-256 differs from the "
                           "signature file)");
    if (expected_key && sodium_memcmp(expected_key, key, 32)) {
        char got[65], want[65];
        asw_hex_encode(key, 32, got);
        asw_hex_encode(expected_key, 32, want);
        return asw__errorf(out_err, ASW_E_UNTRUSTED, "signed by key %s, expected key %s", got,
                           want);
    }
    if (out_signer) memcpy(out_signer, key, 32);
    return ASW_OK;
}

ASW_API int asw_sig_sign_files(const char *key_path, const char *module_path,
                               const char *manifest_path, const char *sig_path,
                               asw_error_t *out_err)
{
    if (!key_path || !module_path || !sig_path)
        return asw__errorf(out_err, ASW_E_INVALID, "sign: a path is missing");
    uint8_t sk[ASW_SIG_SECRET_KEY_BYTES];
    uint8_t *mod = NULL, *man = NULL;
    size_t ml = 0, fl = 0;
    char text[ASW_SIG_TEXT_MAX];
    int rc = asw_sig_read_secret_key(key_path, sk, out_err);
    if (!rc) rc = asw__read_file(module_path, 0, &mod, &ml, out_err);
    if (!rc && manifest_path) rc = asw__read_file(manifest_path, 0, &man, &fl, out_err);
    if (!rc) rc = asw_sig_sign(sk, mod, ml, man, fl, text, out_err);
    sodium_memzero(sk, sizeof sk);
    if (!rc) {
        char tmp[ASW_PATH_MAX + 8];
        if (snprintf(tmp, sizeof tmp, "%s.tmp", sig_path) >= (int)sizeof tmp) {
            rc = asw__errorf(out_err, ASW_E_INVALID, "sign: path too long");
        } else {
            unlink(tmp);
            rc = write_new(tmp, text, 0644, out_err);
            if (!rc && rename(tmp, sig_path)) {
                rc = asw__errorf(out_err, ASW_E_IO, "cannot write '%s': %s", sig_path,
                                 strerror(errno));
                unlink(tmp);
            }
        }
    }
    asw__free(mod);
    asw__free(man);
    return rc;
}

ASW_API int asw_sig_verify_files(const char *sig_path, const char *module_path,
                                 const char *manifest_path, const uint8_t *expected_key,
                                 uint8_t out_signer[ASW_SIG_PUBLIC_KEY_BYTES], asw_error_t *out_err)
{
    if (!sig_path || !module_path)
        return asw__errorf(out_err, ASW_E_INVALID, "verify: a path is missing");
    uint8_t *sig = NULL, *mod = NULL, *man = NULL;
    size_t sl = 0, ml = 0, fl = 0;
    int rc = asw__read_file(sig_path, 0, &sig, &sl, out_err);
    if (!rc && sl > ASW_SIG_TEXT_MAX)
        rc = asw__errorf(out_err, ASW_E_PARSE, "'%s' is too large for a signature file", sig_path);
    if (!rc) rc = asw__read_file(module_path, 0, &mod, &ml, out_err);
    if (!rc && manifest_path) rc = asw__read_file(manifest_path, 0, &man, &fl, out_err);
    if (!rc)
        rc = asw_sig_verify((const char *)sig, sl, mod, ml, man, fl, expected_key, out_signer,
                            out_err);
    asw__free(sig);
    asw__free(mod);
    asw__free(man);
    return rc;
}
