#include "multipart_body.hpp"

#include <filesystem>
#include <random>

namespace batchwire::detail {

namespace {

std::string random_boundary()
{
    static constexpr char hex[] = "0123456789abcdef";
    thread_local std::mt19937_64 gen{std::random_device{}()};
    std::string b = "batchwire-";
    for (int i = 0; i < 32; ++i)
        b += hex[gen() & 15];
    return b;
}

// A form-data name or filename inside quotes: quotes and line breaks cannot end the field.
std::string quoted_field(std::string_view v)
{
    std::string out;
    for (char c : v) {
        if (c == '"')
            out += "%22";
        else if (c == '\r' || c == '\n')
            out += ' ';
        else
            out += c;
    }
    return out;
}

void add_field(std::string& out, const std::string& boundary, std::string_view name, std::string_view value)
{
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted_field(name) + "\"\r\n\r\n";
    out += value;
    out += "\r\n";
}

} // namespace

boost::system::error_code make_multipart_upload(const file_upload_params& p, streamed_body& body,
                                                std::string& content_type, std::string& why)
{
    if (p.purpose.empty()) {
        why = "the upload's purpose is empty";
        return error::invalid_argument;
    }
    std::error_code fs_ec;
    const auto size = std::filesystem::file_size(p.path, fs_ec);
    if (fs_ec) {
        why = "cannot read '" + p.path + "': " + fs_ec.message();
        return error::file_error;
    }
    const std::string boundary = random_boundary();
    const std::string filename =
        p.filename.empty() ? std::filesystem::path(p.path).filename().string() : p.filename;
    body.preamble.clear();
    add_field(body.preamble, boundary, "purpose", p.purpose);
    if (p.expires_after) {
        add_field(body.preamble, boundary, "expires_after[anchor]", p.expires_after->anchor);
        add_field(body.preamble, boundary, "expires_after[seconds]", std::to_string(p.expires_after->seconds));
    }
    body.preamble += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                     quoted_field(filename) + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
    body.file_path = p.path;
    body.file_size = size;
    body.epilogue = "\r\n--" + boundary + "--\r\n";
    content_type = "multipart/form-data; boundary=" + boundary;
    return {};
}

} // namespace batchwire::detail
