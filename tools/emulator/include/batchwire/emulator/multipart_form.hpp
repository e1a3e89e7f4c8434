#ifndef BATCHWIRE_EMULATOR_MULTIPART_FORM_HPP
#define BATCHWIRE_EMULATOR_MULTIPART_FORM_HPP

// multipart/form-data (RFC 7578) parsing for POST /v1/files. Parts are views into the body:
// a 200 MB upload is not copied.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire::emulator {

struct form_part {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type;
    std::string_view data;
};

struct multipart_form {
    std::vector<form_part> parts;
    const form_part* find(std::string_view name) const noexcept;
};

// The boundary parameter of a "multipart/form-data; boundary=..." Content-Type;
// nullopt when the type is something else or has no boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Splits `body`. On malformed input returns false and a sentence in `why`.
bool parse_multipart(std::string_view body, std::string_view boundary, multipart_form& out, std::string& why);

} // namespace batchwire::emulator

#endif
