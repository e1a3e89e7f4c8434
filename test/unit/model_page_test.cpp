// page<T>: the list envelope, the next-cursor rule and errors inside elements.

#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include "json_rejection.hpp"

#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using batchwire::batch;
using batchwire::batch_page;
using batchwire::error;
using batchwire::test::reject;

namespace {

batch batch_with_id(std::string id)
{
    batch b;
    b.id = std::move(id);
    return b;
}

std::string batch_text(const char* id, const char* created_at = "1")
{
    return std::string(R"({"id":")") + id +
           R"(","object":"batch","endpoint":"/v1/embeddings","input_file_id":"file-1",)"
           R"("completion_window":"24h","status":"in_progress","created_at":)" +
           created_at + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(model_page)

BOOST_AUTO_TEST_CASE(next_cursor_rule)
{
    batch_page p;
    p.has_more = false;
    BOOST_TEST(!p.next_cursor());

    p.has_more = true; // but no data: stop, or the client would loop forever
    BOOST_TEST(!p.next_cursor());

    p.data = {batch_with_id("batch_a"), batch_with_id("batch_b")};
    p.last_id = "batch_z"; // the cursor is the last item's id, as the SDKs do
    BOOST_TEST(*p.next_cursor() == "batch_b");

    p.has_more = false;
    BOOST_TEST(!p.next_cursor());
}

BOOST_AUTO_TEST_CASE(parses_a_page)
{
    const std::string text = R"({"object":"list","data":[)" + batch_text("batch_a") + "," + batch_text("batch_b") +
                             R"(],"first_id":"batch_a","last_id":"batch_b","has_more":true,"future":1})";
    const auto p = batchwire::parse_as<batch_page>(text);
    BOOST_REQUIRE(p.data.size() == 2u);
    BOOST_TEST(p.data[1].id == "batch_b");
    BOOST_TEST(*p.first_id == "batch_a");
    BOOST_TEST(*p.last_id == "batch_b");
    BOOST_TEST(p.has_more);
    BOOST_TEST(*p.next_cursor() == "batch_b");
}

BOOST_AUTO_TEST_CASE(empty_page_with_null_ids)
{
    for (const char* text : {R"({"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false})",
                             R"({"data":[],"has_more":false})"}) {
        const auto p = batchwire::parse_as<batch_page>(text);
        BOOST_TEST(p.data.empty());
        BOOST_TEST(!p.first_id);
        BOOST_TEST(!p.last_id);
        BOOST_TEST(!p.next_cursor());
    }
}

BOOST_AUTO_TEST_CASE(envelope_errors_are_named)
{
    BOOST_TEST(reject<batch_page>(R"({"object":"list","has_more":false})").message ==
               "page.data: required field is missing");
    BOOST_TEST(reject<batch_page>(R"({"object":"list","data":[]})").message ==
               "page.has_more: required field is missing");
    BOOST_TEST(reject<batch_page>(R"({"data":[],"has_more":"yes"})").message ==
               "page.has_more: expected a boolean, got string");
    BOOST_TEST(reject<batch_page>(R"({"data":{},"has_more":false})").message ==
               "page.data: expected an array, got object");
    BOOST_TEST(reject<batch_page>(R"({"object":"batch","data":[],"has_more":false})").message ==
               R"(page.object: expected "list", got "batch")");
    BOOST_TEST(reject<batch_page>(R"({"data":[],"has_more":false,"last_id":3})").message ==
               "page.last_id: expected a string, got integer");
    BOOST_TEST(reject<batch_page>("[]").message == "page: expected an object, got array");
}

BOOST_AUTO_TEST_CASE(element_errors_carry_the_element_path)
{
    const std::string text = R"({"data":[)" + batch_text("batch_a") + "," + batch_text("batch_b", "\"late\"") +
                             R"(],"has_more":false})";
    const auto r = reject<batch_page>(text);
    BOOST_TEST(r.code == error::invalid_response);
    BOOST_TEST(r.message == "page.data[1].created_at: expected an integer, got string");

    BOOST_TEST(reject<batch_page>(R"({"data":[7],"has_more":false})").message ==
               "page.data[0]: expected an object, got integer");
    BOOST_TEST(reject<batchwire::page<batchwire::file_object>>(R"({"data":[{"id":"f"}],"has_more":false})").message ==
               "page.data[0].bytes: required field is missing");
}

BOOST_AUTO_TEST_CASE(written_form)
{
    batch_page p;
    p.data = {batch_with_id("batch_a")};
    const boost::json::value v = boost::json::value_from(p);
    BOOST_TEST(v.at("object") == "list");
    BOOST_TEST(v.at("data").as_array().size() == 1u);
    BOOST_TEST(v.at("data").at(0).at("id") == "batch_a");
    BOOST_TEST(v.at("first_id").is_null());
    BOOST_TEST(v.at("last_id").is_null());
    BOOST_TEST(v.at("has_more") == false);
}

BOOST_AUTO_TEST_SUITE_END()
