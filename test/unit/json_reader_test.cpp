// object_reader: fields are found whatever the order they are read in and whatever the size
// of the object, names that differ in one byte are told apart, and the paths in error
// messages name nested objects and array elements from the root down.

#include "../../src/json_fields.hpp"

#include <batchwire/error.hpp>

#include "error_printing.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using batchwire::detail::object_reader;

namespace {

std::string key_of(std::size_t i)
{
    return "field_" + std::to_string(i);
}

// {"field_0": 0, "field_1": 1, ...}
boost::json::value numbered_object(std::size_t n)
{
    boost::json::object o;
    for (std::size_t i = 0; i < n; ++i)
        o.emplace(key_of(i), static_cast<std::int64_t>(i));
    return o;
}

// The diagnostics message of what `read` throws, or "" when it throws nothing.
std::string message_of(const std::function<void()>& read)
{
    try {
        read();
    } catch (const batchwire::exception& e) {
        BOOST_TEST(e.code() == batchwire::error::invalid_response);
        return e.get_diagnostics().message;
    }
    return "";
}

// Orders in which the fields of an n-member object are read: as on the wire, backwards,
// every other one then the rest, each twice in a row, and one field between every two.
std::vector<std::vector<std::size_t>> read_orders(std::size_t n)
{
    std::vector<std::size_t> forward(n), backward(n), strided, twice, alternating;
    for (std::size_t i = 0; i < n; ++i)
        forward[i] = backward[n - 1 - i] = i;
    for (std::size_t start : {1, 0})
        for (std::size_t i = start; i < n; i += 2)
            strided.push_back(i);
    for (std::size_t i : forward) {
        twice.push_back(i);
        twice.push_back(i);
    }
    for (std::size_t i : forward) {
        alternating.push_back(i);
        alternating.push_back(n - 1 - i);
    }
    return {forward, backward, strided, twice, alternating};
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_reader)

// Around 32 members the reader stops scanning and uses the object's hashed lookup.
BOOST_AUTO_TEST_CASE(every_field_is_found_in_any_read_order_at_any_size)
{
    for (std::size_t n : {0, 1, 2, 3, 22, 31, 32, 33, 34, 100}) {
        const boost::json::value v = numbered_object(n);
        for (const auto& order : read_orders(n)) {
            const object_reader r(v, "root");
            for (std::size_t i : order) {
                BOOST_TEST_CONTEXT("n=" << n << " field " << i)
                {
                    BOOST_TEST(r.required_int64(key_of(i)) == static_cast<std::int64_t>(i));
                    // A field that is absent is absent from any starting point of the scan.
                    BOOST_TEST(r.find(key_of(n)) == nullptr);
                    BOOST_TEST(r.find("field_") == nullptr);
                    BOOST_TEST(r.find("") == nullptr);
                }
            }
        }
    }
}

// Names from 0 to 40 bytes (across the 4- and 8-byte word compares and their tails), with
// siblings that differ from them in exactly one byte, first, last or in between.
BOOST_AUTO_TEST_CASE(names_that_differ_in_one_byte_are_told_apart)
{
    for (std::size_t len = 0; len <= 40; ++len) {
        std::string name(len, 'k');
        for (std::size_t i = 0; i < len; ++i)
            name[i] = static_cast<char>('a' + i % 26);
        boost::json::object o;
        o.emplace(name, -1);
        std::vector<std::string> siblings;
        for (std::size_t at = 0; at < len; ++at) {
            std::string sibling = name;
            sibling[at] = '#';
            siblings.push_back(sibling);
            o.emplace(sibling, static_cast<std::int64_t>(at));
        }
        const boost::json::value v = o;
        BOOST_TEST_CONTEXT("length " << len)
        {
            const object_reader r(v, "root");
            BOOST_TEST(r.required_int64(name) == -1);
            for (std::size_t at = len; at-- > 0;)
                BOOST_TEST(r.required_int64(siblings[at]) == static_cast<std::int64_t>(at));
            BOOST_TEST(r.required_int64(name) == -1);
            BOOST_TEST(r.find(name + "x") == nullptr);
            if (len > 0)
                BOOST_TEST(r.find(name.substr(0, len - 1)) == nullptr);
        }
    }
}

// The parser keeps one member per name; the reader finds the one the object's own lookup finds.
BOOST_AUTO_TEST_CASE(a_repeated_name_reads_as_the_object_keeps_it)
{
    const boost::json::value v = boost::json::parse(R"({"a":1,"b":true,"a":2,"c":null,"a":3})");
    const boost::json::value* kept = v.get_object().if_contains("a");
    BOOST_TEST_REQUIRE(kept != nullptr);
    const object_reader r(v, "root");
    BOOST_TEST(r.required_bool("b"));
    BOOST_TEST(&r.required("a") == kept);
    BOOST_TEST(r.required_int64("a") == kept->as_int64());
}

BOOST_AUTO_TEST_CASE(null_is_absent_for_optional_readers_and_present_for_required)
{
    const boost::json::value v = boost::json::parse(R"({"s":null,"n":null,"o":null,"a":null,"m":null})");
    const object_reader r(v, "root");
    BOOST_TEST(r.find("s") == nullptr);
    BOOST_TEST(r.required("s").is_null());
    BOOST_TEST(!r.optional_string("s"));
    BOOST_TEST(r.string_or_empty("s").empty());
    BOOST_TEST(!r.optional_int64("n"));
    BOOST_TEST(!r.optional_object("o"));
    BOOST_TEST(r.array_or_empty("a").empty());
    BOOST_TEST(!r.optional_string_map("m"));
    BOOST_TEST(message_of([&] { (void)r.required_string("s"); }) == "root.s: expected a string, got null");
    BOOST_TEST(message_of([&] { (void)r.required_object("o"); }) == "root.o: expected an object, got null");
    BOOST_TEST(message_of([&] { (void)r.required_string("x"); }) == "root.x: required field is missing");
}

// Each problem found at each depth: a root, nested objects, array elements, map entries.
BOOST_AUTO_TEST_CASE(error_paths_name_nested_objects_and_array_elements)
{
    const boost::json::value v = boost::json::parse(R"({
        "outer": {"inner": {"n": "7", "big": 18446744073709551615, "f": 1.5}},
        "list": {"object": "list", "data": [{"x": 1}, {"x": "one"}, 5]},
        "map": {"k": "v", "bad": 3},
        "tag": {"object": "other"}
    })");
    const object_reader root(v, "root");
    const object_reader outer = root.required_object("outer");
    const object_reader inner = outer.required_object("inner");
    const object_reader list = root.required_object("list");
    const boost::json::array& items = list.required_array("data");

    struct row {
        const char* what;
        std::function<void()> read;
        std::string message;
    };
    const std::vector<row> rows{
        {"root", [&] { (void)root.required_int64("outer"); }, "root.outer: expected an integer, got object"},
        {"nested", [&] { (void)inner.required_int64("n"); }, "root.outer.inner.n: expected an integer, got string"},
        {"out of range", [&] { (void)inner.optional_int64("big"); },
         "root.outer.inner.big: integer 18446744073709551615 is out of the int64 range"},
        {"number", [&] { (void)inner.required_int64("f"); }, "root.outer.inner.f: expected an integer, got number"},
        {"missing", [&] { (void)inner.required_object("deeper"); }, "root.outer.inner.deeper: required field is missing"},
        {"element", [&] { (void)object_reader(items[1], list, "data", 1).required_int64("x"); },
         "root.list.data[1].x: expected an integer, got string"},
        {"element kind", [&] { (void)object_reader(items[2], list, "data", 2); },
         "root.list.data[2]: expected an object, got integer"},
        {"map entry", [&] { (void)root.optional_string_map("map"); }, "root.map.bad: expected a string, got integer"},
        {"tag", [&] { root.required_object("tag").check_object_tag("list"); },
         R"(root.tag.object: expected "list", got "other")"},
        {"root kind", [&] { (void)object_reader(items[2], "solo"); }, "solo: expected an object, got integer"},
    };
    for (const row& r : rows)
        BOOST_TEST(message_of(r.read) == r.message, r.what);

    BOOST_TEST(inner.path() == "root.outer.inner");
    BOOST_TEST(object_reader(items[0], list, "data", 0).path() == "root.list.data[0]");
    BOOST_TEST(object_reader(items[0], list, "data", 0).required_int64("x") == 1);
    BOOST_TEST(list.field_path("data") == "root.list.data");
}

// The tag is read before the fields; reading it leaves the other fields to be found as before.
BOOST_AUTO_TEST_CASE(the_object_tag_passes_when_absent_null_or_equal)
{
    for (const char* text : {R"({"id":"x","object":"batch","n":1})", R"({"object":null,"id":"x","n":1})",
                             R"({"id":"x","n":1})"}) {
        const boost::json::value v = boost::json::parse(text);
        const object_reader r(v, "batch");
        BOOST_TEST(message_of([&] { r.check_object_tag("batch"); }) == "", text);
        BOOST_TEST(r.required_string("id") == "x");
        BOOST_TEST(r.required_int64("n") == 1);
    }
    const boost::json::value wrong = boost::json::parse(R"({"id":"x","object":7})");
    BOOST_TEST(message_of([&] { object_reader(wrong, "batch").check_object_tag("batch"); }) ==
               "batch.object: expected a string, got integer");
}

// Values built in code (not parsed) may hold small numbers as uint64.
BOOST_AUTO_TEST_CASE(int64_edges)
{
    boost::json::object o;
    o.emplace("small_unsigned", std::uint64_t{5});
    o.emplace("max", std::uint64_t{9223372036854775807u});
    o.emplace("max_plus_one", std::uint64_t{9223372036854775808u});
    o.emplace("min", std::int64_t{-9223372036854775807 - 1});
    const boost::json::value v = o;
    const object_reader r(v, "root");
    BOOST_TEST(r.required_int64("small_unsigned") == 5);
    BOOST_TEST(r.required_int64("max") == 9223372036854775807);
    BOOST_TEST(r.required_int64("min") == -9223372036854775807 - 1);
    BOOST_TEST(message_of([&] { (void)r.required_int64("max_plus_one"); }) ==
               "root.max_plus_one: integer 9223372036854775808 is out of the int64 range");
}

BOOST_AUTO_TEST_SUITE_END()
