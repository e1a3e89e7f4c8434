// The File object.

#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>

#include "json_rejection.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

using batchwire::file_object;
using batchwire::test::reject;

BOOST_AUTO_TEST_SUITE(model_file)

BOOST_AUTO_TEST_CASE(full_file)
{
    const auto f = batchwire::parse_as<file_object>(
        R"({"id":"file-1","object":"file","bytes":1024,"created_at":1677610602,"expires_at":1680202602,
            "filename":"requests.jsonl","purpose":"batch","status":"processed","status_details":"ok",
            "future":{"x":1}})");
    BOOST_TEST(f.id == "file-1");
    BOOST_TEST(f.bytes == 1024);
    BOOST_TEST(f.created_at == 1677610602);
    BOOST_TEST(*f.expires_at == 1680202602);
    BOOST_TEST(f.filename == "requests.jsonl");
    BOOST_TEST(f.purpose == "batch");
    BOOST_TEST(f.status == "processed");
    BOOST_TEST(*f.status_details == "ok");
}

BOOST_AUTO_TEST_CASE(optional_and_deprecated_fields)
{
    const auto f = batchwire::parse_as<file_object>(
        R"({"id":"file-1","bytes":0,"created_at":1,"expires_at":null,"filename":"a","purpose":"batch_output",
            "status":null,"status_details":null})");
    BOOST_TEST(!f.expires_at);
    BOOST_TEST(!f.status_details);
    BOOST_TEST(f.status.empty());
    BOOST_TEST(f.purpose == "batch_output");
}

BOOST_AUTO_TEST_CASE(errors_are_named)
{
    for (const char* field : {"id", "bytes", "created_at", "filename", "purpose"}) {
        boost::json::object o{{"id", "file-1"}, {"bytes", 1},          {"created_at", 1},
                              {"filename", "a"}, {"purpose", "batch"}};
        o.erase(field);
        BOOST_TEST(reject<file_object>(boost::json::serialize(o)).message ==
                   "file." + std::string(field) + ": required field is missing");
    }
    const char* const base = R"("id":"file-1","created_at":1,"filename":"a","purpose":"batch")";
    BOOST_TEST(reject<file_object>(std::string("{") + base + R"(,"bytes":"1kB"})").message ==
               "file.bytes: expected an integer, got string");
    BOOST_TEST(reject<file_object>(std::string("{") + base + R"(,"bytes":1,"object":"batch"})").message ==
               R"(file.object: expected "file", got "batch")");
    BOOST_TEST(reject<file_object>(std::string("{") + base + R"(,"bytes":1,"status":0})").message ==
               "file.status: expected a string, got integer");
}

BOOST_AUTO_TEST_CASE(written_form)
{
    const file_object f{"file-1", 10, 20, "a.jsonl", "batch", "uploaded", std::nullopt, std::nullopt};
    const boost::json::value v = boost::json::value_from(f);
    BOOST_TEST(v.at("object") == "file");
    BOOST_TEST(v.at("bytes") == 10);
    BOOST_TEST(v.at("expires_at").is_null());
    BOOST_TEST(v.at("status_details").is_null());
    BOOST_TEST((boost::json::value_to<file_object>(v) == f));
}

BOOST_AUTO_TEST_SUITE_END()
