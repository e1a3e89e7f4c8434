// Event names and the stderr logger.

#include "log_line.hpp"

#include <cstdio>
#include <string>

namespace batchwire {

std::string_view to_string(log_event_kind k) noexcept
{
    switch (k) {
    case log_event_kind::request_sent:
        return "request_sent";
    case log_event_kind::response_received:
        return "response_received";
    case log_event_kind::retry_scheduled:
        return "retry_scheduled";
    case log_event_kind::request_failed:
        return "request_failed";
    case log_event_kind::connection_opened:
        return "connection_opened";
    case log_event_kind::connection_reused:
        return "connection_reused";
    case log_event_kind::connection_closed:
        return "connection_closed";
    }
    return "unknown";
}

namespace detail {

namespace {

void append_escaped(std::string& out, std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        } else {
            out += c;
        }
    }
}

void append_field(std::string& out, std::string_view name, std::string_view value)
{
    out += ' ';
    out += name;
    out += '=';
    append_escaped(out, value);
}

} // namespace

std::string_view to_string(log_level level) noexcept
{
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warning:
        return "warning";
    case log_level::error:
        return "error";
    }
    return "unknown";
}

std::string format_log_line(const log_event& e)
{
    std::string out = "batchwire ";
    out += to_string(e.level);
    out += ' ';
    out += batchwire::to_string(e.kind);
    if (!e.method.empty()) {
        out += ' ';
        append_escaped(out, e.method);
    }
    if (!e.target.empty()) {
        out += ' ';
        append_escaped(out, e.target);
    }
    if (e.status != 0)
        append_field(out, "status", std::to_string(e.status));
    if (!e.request_id.empty())
        append_field(out, "request_id", e.request_id);
    if (e.attempt != 0)
        append_field(out, "attempt", std::to_string(e.attempt));
    // A scheduled retry always has a delay, zero included; other events only when set.
    if (e.delay.count() != 0 || e.kind == log_event_kind::retry_scheduled)
        append_field(out, "delay_ms", std::to_string(e.delay.count()));
    if (e.elapsed.count() != 0)
        append_field(out, "elapsed_us", std::to_string(e.elapsed.count()));
    if (e.connection_id != 0)
        append_field(out, "connection", std::to_string(e.connection_id));
    if (!e.reason.empty())
        append_field(out, "reason", e.reason);
    return out;
}

} // namespace detail

logger stderr_logger(log_level min)
{
    const auto write = [](const log_event& e) {
        std::string line = detail::format_log_line(e);
        line += '\n';
        // One fwrite per line: stdio locks the stream for the call, so lines written by
        // several threads never interleave.
        std::fwrite(line.data(), 1, line.size(), stderr);
    };
    return logger(write, min);
}

} // namespace batchwire
