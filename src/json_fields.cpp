#include "json_fields.hpp"

#include <batchwire/error.hpp>

#include <cstring>
#include <limits>
#include <utility>

namespace batchwire::detail {

namespace {

using member_ptr = const boost::json::key_value_pair*;

[[noreturn]] void throw_wrong_kind_at(std::string path, std::string_view expected, const boost::json::value& got)
{
    path += ": expected ";
    path += expected;
    path += ", got ";
    path += json_kind(got);
    throw_invalid_response(std::move(path));
}

std::uint64_t load8(const char* p) noexcept
{
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

std::uint32_t load4(const char* p) noexcept
{
    std::uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// Compares field names of equal length `n` by words, the last word overlapping the one
// before it, without calling memcmp: the call would cost more than the rest of a lookup.
bool same_bytes(const char* x, const char* y, std::size_t n) noexcept
{
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load8(x + i) != load8(y + i))
                return false;
        return load8(x + n - 8) == load8(y + n - 8);
    }
    if (n >= 4)
        return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return false;
    return true;
}

// Most members differ from `key` in length: only those of its length are compared.
inline member_ptr scan(member_ptr first, member_ptr last, std::string_view key) noexcept
{
    for (; first != last; ++first) {
        const boost::json::string_view k = first->key();
        if (k.size() == key.size() && same_bytes(k.data(), key.data(), key.size()))
            return first;
    }
    return nullptr;
}

} // namespace

void throw_invalid_response(std::string message)
{
    diagnostics diag;
    diag.message = std::move(message);
    throw exception(error::invalid_response, std::move(diag));
}

std::string_view json_kind(const boost::json::value& v) noexcept
{
    switch (v.kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
        return "integer";
    case boost::json::kind::double_:
        return "number";
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    }
    return "unknown";
}

object_reader::object_reader(const boost::json::value& v, std::string_view name)
    : object_reader(v, nullptr, name, no_index)
{
}

object_reader::object_reader(const boost::json::value& v, const object_reader& parent, std::string_view key,
                             std::size_t index)
    : object_reader(v, &parent, key, index)
{
}

object_reader::object_reader(const boost::json::value& v, const object_reader* parent, std::string_view key,
                             std::size_t index)
    : object_(v.if_object()), parent_(parent), key_(key), index_(index)
{
    if (!object_)
        throw_wrong_kind_at(path(), "an object", v);
}

void object_reader::append_path(std::string& out) const
{
    if (parent_) {
        parent_->append_path(out);
        out += '.';
    }
    out += key_;
    if (index_ != no_index) {
        out += '[';
        out += std::to_string(index_);
        out += ']';
    }
}

std::string object_reader::path() const
{
    std::string p;
    append_path(p);
    return p;
}

std::string object_reader::field_path(std::string_view key) const
{
    std::string p;
    append_path(p);
    p += '.';
    p += key;
    return p;
}

void object_reader::throw_missing(std::string_view key) const
{
    throw_invalid_response(field_path(key) + ": required field is missing");
}

void object_reader::throw_wrong_kind(std::string_view key, std::string_view expected,
                                     const boost::json::value& got) const
{
    throw_wrong_kind_at(field_path(key), expected, got);
}

// A scan from the cursor finds a field read in wire order at the first comparison, with no
// hashing. Past this size a missing field would cost a long scan: the object's own hashed
// lookup is used instead. Both find the same member: an object's keys are unique.
inline const boost::json::value* object_reader::member(std::string_view key) const noexcept
{
    constexpr std::size_t scan_limit = 32;
    if (object_->size() > scan_limit)
        return object_->if_contains(key);
    const member_ptr begin = object_->begin();
    const member_ptr end = object_->end();
    const member_ptr from = next_ ? next_ : begin;
    member_ptr hit = scan(from, end, key);
    if (!hit)
        hit = scan(begin, from, key);
    if (!hit)
        return nullptr;
    next_ = hit + 1;
    return &hit->value();
}

const boost::json::value* object_reader::find(std::string_view key) const noexcept
{
    const boost::json::value* v = member(key);
    return v && !v->is_null() ? v : nullptr;
}

const boost::json::value& object_reader::required(std::string_view key) const
{
    const boost::json::value* v = member(key);
    if (!v)
        throw_missing(key);
    return *v;
}

std::string_view object_reader::string_view_of(const boost::json::value& v, std::string_view key) const
{
    if (!v.is_string())
        throw_wrong_kind(key, "a string", v);
    const boost::json::string& s = v.get_string();
    return std::string_view(s.data(), s.size());
}

std::string object_reader::string_of(const boost::json::value& v, std::string_view key) const
{
    return std::string(string_view_of(v, key));
}

std::int64_t object_reader::int64_of(const boost::json::value& v, std::string_view key) const
{
    if (v.is_int64())
        return v.get_int64();
    // The parser only produces uint64 above the int64 range; built values may hold less.
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(v.get_uint64());
    throw_not_int64(v, key);
}

void object_reader::throw_not_int64(const boost::json::value& v, std::string_view key) const
{
    if (!v.is_uint64())
        throw_wrong_kind(key, "an integer", v);
    throw_invalid_response(field_path(key) + ": integer " + std::to_string(v.get_uint64()) +
                           " is out of the int64 range");
}

std::string object_reader::required_string(std::string_view key) const
{
    return string_of(required(key), key);
}

std::optional<std::string> object_reader::optional_string(std::string_view key) const
{
    const boost::json::value* v = find(key);
    if (!v)
        return std::nullopt;
    return string_of(*v, key);
}

std::string object_reader::string_or_empty(std::string_view key) const
{
    const boost::json::value* v = find(key);
    if (!v)
        return std::string();
    return string_of(*v, key);
}

std::int64_t object_reader::required_int64(std::string_view key) const
{
    return int64_of(required(key), key);
}

std::optional<std::int64_t> object_reader::optional_int64(std::string_view key) const
{
    const boost::json::value* v = find(key);
    if (!v)
        return std::nullopt;
    return int64_of(*v, key);
}

bool object_reader::required_bool(std::string_view key) const
{
    const boost::json::value& v = required(key);
    if (!v.is_bool())
        throw_wrong_kind(key, "a boolean", v);
    return v.get_bool();
}

object_reader object_reader::required_object(std::string_view key) const
{
    return object_reader(required(key), this, key, no_index);
}

std::optional<object_reader> object_reader::optional_object(std::string_view key) const
{
    const boost::json::value* v = find(key);
    if (!v)
        return std::nullopt;
    return object_reader(*v, this, key, no_index);
}

const boost::json::array& object_reader::required_array(std::string_view key) const
{
    const boost::json::value& v = required(key);
    if (!v.is_array())
        throw_wrong_kind(key, "an array", v);
    return v.get_array();
}

const boost::json::array& object_reader::array_or_empty(std::string_view key) const
{
    static const boost::json::array empty;
    const boost::json::value* v = find(key);
    if (!v)
        return empty;
    if (!v->is_array())
        throw_wrong_kind(key, "an array", *v);
    return v->get_array();
}

std::optional<metadata_map> object_reader::optional_string_map(std::string_view key) const
{
    const std::optional<object_reader> pairs = optional_object(key);
    if (!pairs)
        return std::nullopt;
    metadata_map m;
    for (const auto& pair : *pairs->object_)
        m.emplace(pair.key(), pairs->string_of(pair.value(), pair.key()));
    return m;
}

void object_reader::check_object_tag(std::string_view expected) const
{
    // Read before the fields but usually placed after the first one: the scan for the
    // fields resumes where it was.
    const boost::json::key_value_pair* const resume = next_;
    const boost::json::value* v = find("object");
    next_ = resume;
    if (!v)
        return;
    const std::string_view tag = string_view_of(*v, "object");
    if (tag != expected)
        throw_invalid_response(field_path("object") + ": expected \"" + std::string(expected) + "\", got \"" +
                               std::string(tag) + "\"");
}

void put_optional(boost::json::object& o, std::string_view key, const std::optional<std::string>& s)
{
    if (s)
        o.emplace(key, *s);
    else
        o.emplace(key, nullptr);
}

void put_optional(boost::json::object& o, std::string_view key, const std::optional<std::int64_t>& n)
{
    if (n)
        o.emplace(key, *n);
    else
        o.emplace(key, nullptr);
}

void put_string_map(boost::json::object& o, std::string_view key, const metadata_map& m)
{
    boost::json::object pairs(o.storage());
    pairs.reserve(m.size());
    for (const auto& [name, text] : m)
        pairs.emplace(name, text);
    o.emplace(key, std::move(pairs));
}

} // namespace batchwire::detail
