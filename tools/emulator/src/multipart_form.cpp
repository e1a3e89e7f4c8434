#include <batchwire/emulator/multipart_form.hpp>

#include <algorithm>
#include <cctype>
#include <functional>

namespace batchwire::emulator {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Reads `key=value` or `key="quoted \" value"` parameters after the first ';'.
std::optional<std::string> header_parameter(std::string_view header, std::string_view key)
{
    std::size_t pos = header.find(';');
    while (pos != std::string_view::npos) {
        std::string_view rest = trim(header.substr(pos + 1));
        const std::size_t eq = rest.find('=');
        if (eq == std::string_view::npos)
            return std::nullopt;
        const std::string_view name = trim(rest.substr(0, eq));
        rest = trim(rest.substr(eq + 1));
        std::string value;
        std::size_t consumed = 0;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            for (; i < rest.size() && rest[i] != '"'; ++i) {
                if (rest[i] == '\\' && i + 1 < rest.size())
                    ++i;
                value.push_back(rest[i]);
            }
            if (i >= rest.size())
                return std::nullopt; // unterminated quote
            consumed = i + 1;
        } else {
            consumed = std::min(rest.find(';'), rest.size());
            value = std::string(trim(rest.substr(0, consumed)));
        }
        if (iequals(name, key))
            return value;
        const std::size_t next = rest.find(';', consumed);
        if (next == std::string_view::npos)
            return std::nullopt;
        pos = static_cast<std::size_t>(rest.data() + next - header.data());
    }
    return std::nullopt;
}

std::size_t find_in(std::string_view haystack, std::string_view needle, std::size_t from)
{
    if (from > haystack.size())
        return std::string_view::npos;
    const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(),
                                std::boyer_moore_horspool_searcher(needle.begin(), needle.end()));
    return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

} // namespace

const form_part* multipart_form::find(std::string_view name) const noexcept
{
    for (const auto& p : parts)
        if (p.name == name)
            return &p;
    return nullptr;
}

std::optional<std::string> multipart_boundary(std::string_view content_type)
{
    const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
    if (!iequals(type, "multipart/form-data"))
        return std::nullopt;
    auto boundary = header_parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200)
        return std::nullopt;
    return boundary;
}

namespace {

// A part's header lines into `part`: its Content-Disposition (form-data, with a name) is
// required, its Content-Type kept, anything else ignored.
bool read_part_headers(std::string_view head, form_part& part, std::string& why)
{
    bool has_disposition = false;
    while (!head.empty()) {
        const std::size_t eol = std::min(head.find("\r\n"), head.size());
        const std::string_view line = head.substr(0, eol);
        head.remove_prefix(std::min(eol + 2, head.size()));
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            why = "a multipart part has a malformed header line";
            return false;
        }
        const std::string_view name = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Disposition")) {
            if (!iequals(trim(value.substr(0, value.find(';'))), "form-data")) {
                why = "a multipart part is not form-data";
                return false;
            }
            auto field = header_parameter(value, "name");
            if (!field) {
                why = "a multipart part has no name";
                return false;
            }
            part.name = std::move(*field);
            part.filename = header_parameter(value, "filename");
            has_disposition = true;
        } else if (iequals(name, "Content-Type")) {
            part.content_type = std::string(value);
        }
    }
    if (!has_disposition)
        why = "a multipart part has no Content-Disposition header";
    return has_disposition;
}

} // namespace

bool parse_multipart(std::string_view body, std::string_view boundary, multipart_form& out, std::string& why)
{
    const std::string delimiter = "--" + std::string(boundary);
    const std::string inner_delimiter = "\r\n" + delimiter;

    // The first delimiter: at the very start, or after a preamble ending in CRLF.
    std::size_t pos = 0;
    if (body.substr(0, delimiter.size()) != delimiter) {
        pos = find_in(body, inner_delimiter, 0);
        if (pos == std::string_view::npos) {
            why = "the multipart body has no boundary delimiter";
            return false;
        }
        pos += 2;
    }
    pos += delimiter.size();

    for (;;) {
        if (body.substr(pos, 2) == "--")
            return true; // the close delimiter; an epilogue may follow
        // Transport padding, then CRLF.
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t'))
            ++pos;
        if (body.substr(pos, 2) != "\r\n") {
            why = "malformed multipart delimiter line";
            return false;
        }
        pos += 2;

        const std::size_t head_end = find_in(body, "\r\n\r\n", pos);
        std::size_t data_begin;
        std::string_view head;
        if (body.substr(pos, 2) == "\r\n") { // a part without headers
            head = {};
            data_begin = pos + 2;
        } else if (head_end == std::string_view::npos) {
            why = "a multipart part has unterminated headers";
            return false;
        } else {
            head = body.substr(pos, head_end - pos);
            data_begin = head_end + 4;
        }

        form_part part;
        if (!read_part_headers(head, part, why))
            return false;

        const std::size_t data_end = find_in(body, inner_delimiter, data_begin);
        if (data_end == std::string_view::npos) {
            why = "the multipart body ends before its closing boundary";
            return false;
        }
        part.data = body.substr(data_begin, data_end - data_begin);
        out.parts.push_back(std::move(part));
        pos = data_end + inner_delimiter.size();
    }
}

} // namespace batchwire::emulator
