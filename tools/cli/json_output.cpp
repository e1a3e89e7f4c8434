#include "json_output.hpp"

#include <batchwire/error.hpp>

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>

namespace batchwire::cli {

namespace {

void indent(std::string& out, std::size_t depth) { out.append(depth * 2, ' '); }

void append_pretty(std::string& out, const boost::json::value& v, std::size_t depth)
{
    if (const auto* obj = v.if_object(); obj && !obj->empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& member : *obj) {
            if (!first)
                out += ",\n";
            first = false;
            indent(out, depth + 1);
            out += boost::json::serialize(boost::json::value(member.key()));
            out += ": ";
            append_pretty(out, member.value(), depth + 1);
        }
        out += '\n';
        indent(out, depth);
        out += '}';
    } else if (const auto* arr = v.if_array(); arr && !arr->empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& item : *arr) {
            if (!first)
                out += ",\n";
            first = false;
            indent(out, depth + 1);
            append_pretty(out, item, depth + 1);
        }
        out += '\n';
        indent(out, depth);
        out += ']';
    } else {
        out += boost::json::serialize(v); // scalars, {} and []
    }
}

[[noreturn]] void throw_stdout_error(int errno_value)
{
    diagnostics diag;
    diag.message = "cannot write to stdout: " + std::generic_category().message(errno_value);
    throw exception(error::file_error, std::move(diag));
}

} // namespace

std::string pretty_json(const boost::json::value& v)
{
    std::string out;
    append_pretty(out, v, 0);
    return out;
}

void print_json(const boost::json::value& v, bool pretty)
{
    std::string text = pretty ? pretty_json(v) : boost::json::serialize(v);
    text += '\n';
    std::error_code ec;
    if (!write_stdout(text, ec))
        throw_stdout_error(ec.value());
    flush_stdout();
}

bool write_stdout(std::string_view bytes, std::error_code& ec)
{
    if (bytes.empty())
        return true;
    errno = 0;
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
        ec = std::error_code(errno != 0 ? errno : EIO, std::generic_category());
        return false;
    }
    return true;
}

void flush_stdout()
{
    errno = 0;
    if (std::fflush(stdout) != 0)
        throw_stdout_error(errno != 0 ? errno : EIO);
}

} // namespace batchwire::cli
