#include "json_fields.hpp"

#include <batchwire/error.hpp>

#include <limits>
#include <utility>

namespace batchwire::detail {

namespace {

[[noreturn]] void throw_wrong_kind(const std::string& path, std::string_view expected,
                                   const boost::json::value& got)
{
    std::string message = path;
    message += ": expected ";
    message += expected;
    message += ", got ";
    message += json_kind(got);
    throw_invalid_response(std::move(message));
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

object_reader::object_reader(const boost::json::value& v, std::string path)
    : object_(v.if_object()), path_(std::move(path))
{
    if (!object_)
        throw_wrong_kind(path_, "an object", v);
}

std::string object_reader::field_path(std::string_view key) const
{
    std::string p = path_;
    p += '.';
    p += key;
    return p;
}

const boost::json::value* object_reader::find(std::string_view key) const noexcept
{
    const boost::json::value* v = object_->if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

const boost::json::value& object_reader::required(std::string_view key) const
{
    const boost::json::value* v = object_->if_contains(key);
    if (!v)
        throw_invalid_response(field_path(key) + ": required field is missing");
    return *v;
}

std::string object_reader::string_of(const boost::json::value& v, std::string_view key) const
{
    if (!v.is_string())
        throw_wrong_kind(field_path(key), "a string", v);
    return std::string(v.get_string());
}

std::int64_t object_reader::int64_of(const boost::json::value& v, std::string_view key) const
{
    if (v.is_int64())
        return v.get_int64();
    if (!v.is_uint64())
        throw_wrong_kind(field_path(key), "an integer", v);
    // The parser only produces uint64 above the int64 range; built values may hold less.
    if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw_invalid_response(field_path(key) + ": integer " + std::to_string(v.get_uint64()) +
                               " is out of the int64 range");
    return static_cast<std::int64_t>(v.get_uint64());
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
    return optional_string(key).value_or(std::string());
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
        throw_wrong_kind(field_path(key), "a boolean", v);
    return v.get_bool();
}

object_reader object_reader::required_object(std::string_view key) const
{
    return object_reader(required(key), field_path(key));
}

std::optional<object_reader> object_reader::optional_object(std::string_view key) const
{
    const boost::json::value* v = find(key);
    if (!v)
        return std::nullopt;
    return object_reader(*v, field_path(key));
}

const boost::json::array& object_reader::required_array(std::string_view key) const
{
    const boost::json::value& v = required(key);
    if (!v.is_array())
        throw_wrong_kind(field_path(key), "an array", v);
    return v.get_array();
}

const boost::json::array& object_reader::array_or_empty(std::string_view key) const
{
    static const boost::json::array empty;
    const boost::json::value* v = find(key);
    if (!v)
        return empty;
    if (!v->is_array())
        throw_wrong_kind(field_path(key), "an array", *v);
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
    const boost::json::value* v = find("object");
    if (!v)
        return;
    const std::string tag = string_of(*v, "object");
    if (tag != expected)
        throw_invalid_response(field_path("object") + ": expected \"" + std::string(expected) + "\", got \"" +
                               tag + "\"");
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
