#ifndef BATCHWIRE_EMULATOR_TLS_IDENTITY_HPP
#define BATCHWIRE_EMULATOR_TLS_IDENTITY_HPP

// The server's TLS identity: a certificate chain, its private key and the CA that clients
// should trust. Either generated (a fresh P-256 CA and a server certificate for
// localhost, 127.0.0.1 and ::1, valid for a few days) or loaded from PEM files.

#include <string>

namespace batchwire::emulator {

class tls_identity {
public:
    // Generates a CA and a server certificate; writes the CA PEM to a new temporary
    // directory that this object owns (removed by the destructor).
    // `subject_alt_names` in OpenSSL's syntax, e.g. "DNS:localhost,IP:127.0.0.1".
    static tls_identity generate(const std::string& subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1");
    // Loads PEM files. With no ca_file, the certificate itself is what clients trust.
    static tls_identity load(const std::string& cert_file, const std::string& key_file, const std::string& ca_file);

    tls_identity(tls_identity&& other) noexcept;
    tls_identity& operator=(tls_identity&& other) noexcept;
    tls_identity(const tls_identity&) = delete;
    tls_identity& operator=(const tls_identity&) = delete;
    ~tls_identity();

    const std::string& cert_pem() const noexcept { return cert_pem_; }
    const std::string& key_pem() const noexcept { return key_pem_; }
    const std::string& ca_pem() const noexcept { return ca_pem_; }
    const std::string& ca_file() const noexcept { return ca_file_; }

private:
    tls_identity() = default;
    void remove_owned_files() noexcept;

    std::string cert_pem_, key_pem_, ca_pem_, ca_file_;
    std::string owned_dir_; // non-empty when ca_file_ lives in a directory we created
};

} // namespace batchwire::emulator

#endif
