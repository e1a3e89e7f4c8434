#include "watch_snapshot.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace batchwire::detail {

namespace {

// Numbers as zigzag varints (a timestamp takes 5 bytes), strings length-first, optionals
// behind a presence byte. Only this file writes and reads the format.
class packer {
public:
    explicit packer(std::string& out) : out_(out) {}
    void number(std::int64_t v)
    {
        auto u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
        while (u >= 0x80) {
            out_.push_back(static_cast<char>((u & 0x7f) | 0x80));
            u >>= 7;
        }
        out_.push_back(static_cast<char>(u));
    }
    void text(std::string_view s)
    {
        number(static_cast<std::int64_t>(s.size()));
        out_.append(s);
    }
    template <class T, class Put>
    void maybe(const std::optional<T>& v, Put put)
    {
        out_.push_back(v ? 1 : 0);
        if (v)
            put(*v);
    }

private:
    std::string& out_;
};

class unpacker {
public:
    explicit unpacker(std::string_view in) : in_(in) {}
    std::int64_t number()
    {
        std::uint64_t u = 0;
        for (int shift = 0; pos_ < in_.size() && shift < 64; shift += 7) {
            const auto byte = static_cast<unsigned char>(in_[pos_++]);
            u |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                break;
        }
        return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    }
    std::string text()
    {
        const auto n = static_cast<std::size_t>(number());
        std::string s(in_.substr(pos_, n));
        pos_ += s.size();
        return s;
    }
    bool present() { return pos_ < in_.size() && in_[pos_++] != 0; }
    template <class T, class Get>
    void maybe(std::optional<T>& v, Get get)
    {
        if (present())
            v = get();
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
};

void pack_errors(packer& p, const std::vector<batch_error>& errors)
{
    p.number(static_cast<std::int64_t>(errors.size()));
    for (const auto& e : errors) {
        p.text(e.code);
        p.text(e.message);
        p.maybe(e.param, [&](const std::string& s) { p.text(s); });
        p.maybe(e.line, [&](std::int64_t n) { p.number(n); });
    }
}

std::vector<batch_error> unpack_errors(unpacker& u)
{
    std::vector<batch_error> errors(static_cast<std::size_t>(u.number()));
    for (auto& e : errors) {
        e.code = u.text();
        e.message = u.text();
        u.maybe(e.param, [&] { return u.text(); });
        u.maybe(e.line, [&] { return u.number(); });
    }
    return errors;
}

// The optional timestamps, in one order for both directions.
template <class Batch>
auto timestamps(Batch& b)
{
    return std::array{&b.in_progress_at, &b.expires_at, &b.finalizing_at, &b.completed_at,
                      &b.failed_at,      &b.expired_at, &b.cancelling_at, &b.cancelled_at};
}

} // namespace

void watch_snapshot::store(const batch& b)
{
    std::string out;
    packer p(out);
    p.number(1); // never empty once stored
    for (const std::string* s : {&b.id, &b.endpoint, &b.input_file_id, &b.completion_window, &b.status_text})
        p.text(*s);
    p.number(static_cast<std::int64_t>(b.status));
    p.number(b.created_at);
    for (const auto* s : {&b.model, &b.output_file_id, &b.error_file_id})
        p.maybe(*s, [&](const std::string& v) { p.text(v); });
    p.maybe(b.errors, [&](const std::vector<batch_error>& v) { pack_errors(p, v); });
    for (const auto* t : timestamps(b))
        p.maybe(*t, [&](std::int64_t v) { p.number(v); });
    p.maybe(b.request_counts, [&](const batch_request_counts& c) {
        for (auto v : {c.total, c.completed, c.failed})
            p.number(v);
    });
    p.maybe(b.usage, [&](const batch_usage& s) {
        for (auto v : {s.input_tokens, s.cached_tokens, s.output_tokens, s.reasoning_tokens, s.total_tokens})
            p.number(v);
    });
    p.maybe(b.metadata, [&](const metadata_map& m) {
        p.number(static_cast<std::int64_t>(m.size()));
        for (const auto& [k, v] : m) {
            p.text(k);
            p.text(v);
        }
    });
    out.shrink_to_fit();
    bytes_ = std::move(out);
}

batch watch_snapshot::load() const
{
    batch b;
    if (bytes_.empty())
        return b;
    unpacker u(bytes_);
    u.number();
    for (std::string* s : {&b.id, &b.endpoint, &b.input_file_id, &b.completion_window, &b.status_text})
        *s = u.text();
    b.status = static_cast<batch_status>(u.number());
    b.created_at = u.number();
    for (auto* s : {&b.model, &b.output_file_id, &b.error_file_id})
        u.maybe(*s, [&] { return u.text(); });
    u.maybe(b.errors, [&] { return unpack_errors(u); });
    for (auto* t : timestamps(b))
        u.maybe(*t, [&] { return u.number(); });
    u.maybe(b.request_counts, [&] {
        batch_request_counts c;
        for (auto* v : {&c.total, &c.completed, &c.failed})
            *v = u.number();
        return c;
    });
    u.maybe(b.usage, [&] {
        batch_usage s;
        for (auto* v : {&s.input_tokens, &s.cached_tokens, &s.output_tokens, &s.reasoning_tokens, &s.total_tokens})
            *v = u.number();
        return s;
    });
    u.maybe(b.metadata, [&] {
        metadata_map m;
        for (auto n = u.number(); n > 0; --n) {
            auto k = u.text();
            m.emplace(std::move(k), u.text());
        }
        return m;
    });
    return b;
}

} // namespace batchwire::detail
