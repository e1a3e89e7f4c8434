#include <batchwire/emulator/tls_identity.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace batchwire::emulator {

namespace {

struct pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

[[noreturn]] void throw_openssl(const char* what)
{
    char buf[256] = {};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    throw std::runtime_error(std::string("tls identity: ") + what + ": " + buf);
}

void check(int ok, const char* what)
{
    if (ok != 1)
        throw_openssl(what);
}

pkey_ptr make_key()
{
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key)
        throw_openssl("EVP_EC_gen");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        throw_openssl("X509V3_EXT_conf_nid");
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(ok, "X509_add_ext");
}

// A certificate for `key`, named `common_name`, valid from an hour ago for `days`;
// self-signed when issuer is null.
// A CA certificate when issuer is null; else a server certificate for subject_alt_names.
x509_ptr make_certificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, int days,
                          const char* subject_alt_names)
{
    x509_ptr cert(X509_new());
    if (!cert)
        throw_openssl("X509_new");
    check(X509_set_version(cert.get(), 2), "X509_set_version");

    // A random positive 64-bit serial: two runs never issue the same (issuer, serial).
    unsigned char serial_bytes[8];
    check(RAND_bytes(serial_bytes, sizeof serial_bytes), "RAND_bytes");
    serial_bytes[0] &= 0x7f;
    BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
    if (!serial || !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()))) {
        BN_free(serial);
        throw_openssl("serial");
    }
    BN_free(serial);

    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600))
        throw_openssl("X509_gmtime_adj");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");

    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("batchwire emulator"), -1, -1, 0),
          "X509_NAME_add_entry_by_txt");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name),
                                     -1, -1, 0),
          "X509_NAME_add_entry_by_txt");
    X509* signer = issuer ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "X509_set_issuer_name");

    if (!issuer) {
        add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    } else {
        add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), issuer, NID_subject_alt_name, subject_alt_names);
        add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
        add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    }
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0)
        throw_openssl("X509_sign");
    return cert;
}

std::string bio_text(BIO* bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string cert_to_pem(X509* cert)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    return bio_text(bio.get());
}

std::string key_to_pem(EVP_PKEY* key)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
    return bio_text(bio.get());
}

std::string read_whole_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("tls identity: cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

tls_identity tls_identity::generate(const std::string& subject_alt_names)
{
    pkey_ptr ca_key = make_key();
    x509_ptr ca_cert = make_certificate(ca_key.get(), "batchwire emulator CA", nullptr, ca_key.get(), 7, nullptr);
    pkey_ptr server_key = make_key();
    x509_ptr server_cert = make_certificate(server_key.get(), "localhost", ca_cert.get(), ca_key.get(), 7,
                                             subject_alt_names.c_str());

    tls_identity id;
    id.cert_pem_ = cert_to_pem(server_cert.get());
    id.key_pem_ = key_to_pem(server_key.get());
    id.ca_pem_ = cert_to_pem(ca_cert.get());

    const std::filesystem::path tmp = std::filesystem::temp_directory_path() / "batchwire-emulator-XXXXXX";
    std::string pattern = tmp.string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("tls identity: cannot create a temporary directory");
    id.owned_dir_ = pattern;
    id.ca_file_ = (std::filesystem::path(pattern) / "ca.pem").string();
    std::ofstream out(id.ca_file_, std::ios::binary | std::ios::trunc);
    out << id.ca_pem_;
    out.close();
    if (!out)
        throw std::runtime_error("tls identity: cannot write " + id.ca_file_);
    return id;
}

tls_identity tls_identity::load(const std::string& cert_file, const std::string& key_file, const std::string& ca_file)
{
    tls_identity id;
    id.cert_pem_ = read_whole_file(cert_file);
    id.key_pem_ = read_whole_file(key_file);
    if (!ca_file.empty()) {
        id.ca_pem_ = read_whole_file(ca_file);
        id.ca_file_ = ca_file;
    } else {
        id.ca_pem_ = id.cert_pem_;
        id.ca_file_ = cert_file;
    }
    return id;
}

tls_identity::tls_identity(tls_identity&& other) noexcept
    : cert_pem_(std::move(other.cert_pem_))
    , key_pem_(std::move(other.key_pem_))
    , ca_pem_(std::move(other.ca_pem_))
    , ca_file_(std::move(other.ca_file_))
    , owned_dir_(std::exchange(other.owned_dir_, {}))
{
}

tls_identity& tls_identity::operator=(tls_identity&& other) noexcept
{
    if (this != &other) {
        remove_owned_files();
        cert_pem_ = std::move(other.cert_pem_);
        key_pem_ = std::move(other.key_pem_);
        ca_pem_ = std::move(other.ca_pem_);
        ca_file_ = std::move(other.ca_file_);
        owned_dir_ = std::exchange(other.owned_dir_, {});
    }
    return *this;
}

tls_identity::~tls_identity() { remove_owned_files(); }

void tls_identity::remove_owned_files() noexcept
{
    if (owned_dir_.empty())
        return;
    std::error_code ec;
    std::filesystem::remove_all(owned_dir_, ec);
    owned_dir_.clear();
}

} // namespace batchwire::emulator
