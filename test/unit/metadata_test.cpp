// validate_metadata at each documented limit.

#include <batchwire/error.hpp>
#include <batchwire/metadata.hpp>

#include "error_printing.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using batchwire::error;
using batchwire::metadata_map;
using batchwire::validate_metadata;

namespace {

metadata_map pairs(std::size_t n)
{
    metadata_map m;
    for (std::size_t i = 0; i < n; ++i)
        m.emplace("key" + std::to_string(i), "value");
    return m;
}

std::string repeat(std::string_view piece, std::size_t n)
{
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += piece;
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metadata)

BOOST_AUTO_TEST_CASE(limits_are_the_documented_ones)
{
    BOOST_TEST(batchwire::max_metadata_pairs == 16u);
    BOOST_TEST(batchwire::max_metadata_key_size == 64u);
    BOOST_TEST(batchwire::max_metadata_value_size == 512u);
}

BOOST_AUTO_TEST_CASE(pair_count)
{
    std::string why = "untouched";
    BOOST_TEST(!validate_metadata(pairs(0), &why));
    BOOST_TEST(!validate_metadata(pairs(16), &why));
    BOOST_TEST(why == "untouched");
    BOOST_TEST(validate_metadata(pairs(17), &why) == error::invalid_argument);
    BOOST_TEST(why == "metadata has 17 pairs; at most 16 are allowed");
    BOOST_TEST(validate_metadata(pairs(17)) == error::invalid_argument); // no `why` wanted
}

BOOST_AUTO_TEST_CASE(key_size)
{
    std::string why;
    BOOST_TEST(!validate_metadata({{std::string(64, 'k'), "v"}}, &why));
    BOOST_TEST(validate_metadata({{std::string(65, 'k'), "v"}}, &why) == error::invalid_argument);
    BOOST_TEST(why == "a metadata key has 65 characters; at most 64 are allowed");
}

BOOST_AUTO_TEST_CASE(value_size)
{
    std::string why;
    BOOST_TEST(!validate_metadata({{"k", std::string(512, 'v')}, {"e", ""}}, &why));
    BOOST_TEST(validate_metadata({{"k", std::string(513, 'v')}}, &why) == error::invalid_argument);
    BOOST_TEST(why == "the value of metadata key \"k\" has 513 characters; at most 512 are allowed");
}

BOOST_AUTO_TEST_CASE(limits_count_characters_not_bytes)
{
    // "é" is two bytes, "😀" four: 64 and 512 of them are within the limits.
    BOOST_TEST(!validate_metadata({{repeat("é", 64), repeat("😀", 512)}}));
    BOOST_TEST(validate_metadata({{repeat("é", 65), "v"}}) == error::invalid_argument);
    BOOST_TEST(validate_metadata({{"k", repeat("😀", 513)}}) == error::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
