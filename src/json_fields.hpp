#ifndef BATCHWIRE_SRC_JSON_FIELDS_HPP
#define BATCHWIRE_SRC_JSON_FIELDS_HPP

// Reading and writing the fields of API objects. Shared by the model's conversions so that
// every schema mismatch is reported the same way: batchwire::exception with
// error::invalid_response and a message "<path>: <problem>", where the path names the field
// from the root object down, e.g. "batch.request_counts.total: expected an integer, got string".
// Field paths are built only when something is wrong.

#include <batchwire/metadata.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::detail {

[[noreturn]] void throw_invalid_response(std::string message);

// "string", "integer", "null", ...: what a value is, for error messages.
std::string_view json_kind(const boost::json::value& v) noexcept;

// A view of one JSON object and its path. Optional readers treat absent and null alike.
//
// A reader names itself by its parent, a key and, for an array element, an index; the path
// text is made only for an error message, so a conversion that succeeds allocates nothing
// for paths. Hence the names given (root name, keys) must outlive the reader, as string
// literals and the keys of the parsed value do, and a nested reader must not outlive the
// reader it came from.
class object_reader {
public:
    // A root reader: `name` starts every path ("batch"). Throws when `v` is not an object.
    object_reader(const boost::json::value& v, std::string_view name);
    // Element `index` of the array in field `key` of `parent` ("batch.errors.data[3]").
    // Throws when `v` is not an object.
    object_reader(const boost::json::value& v, const object_reader& parent, std::string_view key,
                  std::size_t index);

    std::string path() const;
    std::string field_path(std::string_view key) const;

    // nullptr when the field is absent or null.
    const boost::json::value* find(std::string_view key) const noexcept;
    // Throws when absent; null is returned as is (the caller knows what it accepts).
    const boost::json::value& required(std::string_view key) const;

    std::string required_string(std::string_view key) const;
    std::optional<std::string> optional_string(std::string_view key) const;
    std::string string_or_empty(std::string_view key) const;

    std::int64_t required_int64(std::string_view key) const;
    std::optional<std::int64_t> optional_int64(std::string_view key) const;

    bool required_bool(std::string_view key) const;

    object_reader required_object(std::string_view key) const;
    std::optional<object_reader> optional_object(std::string_view key) const;
    const boost::json::array& required_array(std::string_view key) const;
    // Absent or null arrays read as empty.
    const boost::json::array& array_or_empty(std::string_view key) const;

    // An object whose values are all strings (metadata).
    std::optional<metadata_map> optional_string_map(std::string_view key) const;

    // The `object` tag: absent or null pass (servers and fixtures omit it), a different
    // value throws.
    void check_object_tag(std::string_view expected) const;

private:
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);

    object_reader(const boost::json::value& v, const object_reader* parent, std::string_view key,
                  std::size_t index);

    // The field `key`, or nullptr when absent (null is returned as is).
    const boost::json::value* member(std::string_view key) const noexcept;
    void append_path(std::string& out) const;

    // Errors, out of line so that the paths that succeed stay short.
    [[noreturn]] void throw_missing(std::string_view key) const;
    [[noreturn]] void throw_wrong_kind(std::string_view key, std::string_view expected,
                                       const boost::json::value& got) const;
    [[noreturn]] void throw_not_int64(const boost::json::value& v, std::string_view key) const;

    // The value of field `key`, converted; throws naming the field.
    std::string_view string_view_of(const boost::json::value& v, std::string_view key) const;
    std::string string_of(const boost::json::value& v, std::string_view key) const;
    std::int64_t int64_of(const boost::json::value& v, std::string_view key) const;

    const boost::json::object* object_;
    const object_reader* parent_;
    std::string_view key_;  // the root's name when there is no parent
    std::size_t index_;     // no_index unless this object is an array element
    // Where the next lookup starts: API objects come with their fields in a fixed order and
    // the conversions mostly read them in that order, so the next field is usually here.
    // Lookups move it, so a reader serves one conversion, on one thread.
    mutable const boost::json::key_value_pair* next_ = nullptr; // nullptr: the first member
};

// Writers: unset optionals are written as null, as the API does.
void put_optional(boost::json::object& o, std::string_view key, const std::optional<std::string>& s);
void put_optional(boost::json::object& o, std::string_view key, const std::optional<std::int64_t>& n);
void put_string_map(boost::json::object& o, std::string_view key, const metadata_map& m);

} // namespace batchwire::detail

#endif
