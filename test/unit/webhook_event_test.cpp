// Webhook event bodies into typed events: the four batch types, unknown types kept whole,
// and limits.

#include <batchwire/webhook_error.hpp>
#include <batchwire/webhook_event.hpp>

#include "../../src/webhook_event_json.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace batchwire;

namespace {

webhook_event parse(const std::string& body, boost::system::error_code& ec, std::string& why)
{
    return detail::parse_webhook_event(body, 32, ec, why);
}

std::string batch_event(std::string_view type)
{
    return R"({"id":"evt_abc","object":"event","type":")" + std::string(type) +
           R"(","created_at":1719184911,"data":{"id":"batch_xyz"}})";
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_event_tests)

BOOST_AUTO_TEST_CASE(the_four_batch_types)
{
    const std::pair<std::string_view, webhook_event_type> rows[] = {
        {"batch.completed", webhook_event_type::batch_completed},
        {"batch.cancelled", webhook_event_type::batch_cancelled},
        {"batch.expired", webhook_event_type::batch_expired},
        {"batch.failed", webhook_event_type::batch_failed},
    };
    for (const auto& [name, type] : rows) {
        boost::system::error_code ec;
        std::string why;
        const auto e = parse(batch_event(name), ec, why);
        BOOST_TEST(!ec, why);
        BOOST_TEST((e.type == type));
        BOOST_TEST(e.type_name == name);
        BOOST_TEST(e.is_batch_event());
        BOOST_TEST(e.id == "evt_abc");
        BOOST_TEST(e.batch_id == "batch_xyz");
        BOOST_TEST(e.created_at == 1719184911);
        BOOST_TEST(to_string(type) == name);
        BOOST_TEST((webhook_event_type_from(name) == type));
    }
    BOOST_TEST(to_string(webhook_event_type::unknown) == "unknown");
    BOOST_TEST((webhook_event_type_from("Batch.Completed") == webhook_event_type::unknown));
    BOOST_TEST((webhook_event_type_from("") == webhook_event_type::unknown));
}

BOOST_AUTO_TEST_CASE(unknown_types_keep_their_payload)
{
    boost::system::error_code ec;
    std::string why;
    const auto e = parse(R"({"id":"evt_9","type":"response.completed","created_at":5,)"
                         R"("data":{"id":"resp_1","extra":[1,2,{"k":"v"}]},"new_field":true})",
                         ec, why);
    BOOST_TEST(!ec, why);
    BOOST_TEST((e.type == webhook_event_type::unknown));
    BOOST_TEST(!e.is_batch_event());
    BOOST_TEST(e.type_name == "response.completed");
    BOOST_TEST(e.batch_id == "resp_1"); // data.id, whatever it names
    BOOST_TEST(e.payload.at("new_field").as_bool());
    BOOST_TEST(e.payload.at("data").at("extra").at(2).at("k").as_string() == "v");

    const auto bare = parse(R"({"id":"evt_9","type":"fine_tuning.job.succeeded","created_at":5,"data":[]})", ec, why);
    BOOST_TEST(!ec, why);
    BOOST_TEST(bare.batch_id.empty());
}

BOOST_AUTO_TEST_CASE(edge_values)
{
    boost::system::error_code ec;
    std::string why;
    auto e = parse(R"({"id":"e","type":"batch.failed","created_at":0,"data":{"id":"b"}})", ec, why);
    BOOST_TEST(!ec);
    BOOST_TEST(e.created_at == 0);
    e = parse(R"({"id":"e","type":"batch.failed","created_at":-1,"data":{"id":"b"}})", ec, why);
    BOOST_TEST(!ec);
    BOOST_TEST(e.created_at == -1);
    e = parse(R"({"id":"e","type":"batch.failed","created_at":9223372036854775807,"data":{"id":"b"}})", ec, why);
    BOOST_TEST(!ec);
    parse(R"({"id":"e","type":"batch.failed","created_at":9223372036854775808,"data":{"id":"b"}})", ec, why);
    BOOST_TEST(ec == make_error_code(webhook_error::malformed_body));
    parse(R"({"id":"","type":"batch.failed","created_at":1,"data":{"id":"b"}})", ec, why);
    BOOST_TEST(ec == make_error_code(webhook_error::malformed_body));
    parse(R"({"id":"e","type":"batch.failed","created_at":1,"data":{"id":""}})", ec, why);
    BOOST_TEST(ec == make_error_code(webhook_error::malformed_body));
    BOOST_TEST(why.find("data.id") != std::string::npos);
    // Depth: within the limit, then one deeper.
    const std::string nested = R"({"id":"e","type":"x","created_at":1,"deep":)" + std::string(30, '[') +
                               std::string(30, ']') + "}";
    parse(nested, ec, why);
    BOOST_TEST(!ec, why);
    const std::string deeper = R"({"id":"e","type":"x","created_at":1,"deep":)" + std::string(40, '[') +
                               std::string(40, ']') + "}";
    parse(deeper, ec, why);
    BOOST_TEST(ec == make_error_code(webhook_error::malformed_body));
    // Trailing garbage, duplicated keys do not crash; the first is an error.
    parse(batch_event("batch.failed") + "x", ec, why);
    BOOST_TEST(ec == make_error_code(webhook_error::malformed_body));
}

BOOST_AUTO_TEST_SUITE_END()
