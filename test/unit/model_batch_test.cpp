// The Batch object: optional fields (absent, null, set), statuses, unknown fields, and the
// errors that name the offending field.

#include <batchwire/batch.hpp>
#include <batchwire/json_parse.hpp>

#include "json_rejection.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <limits>
#include <string>
#include <vector>

using batchwire::batch;
using batchwire::batch_status;
using batchwire::error;
using batchwire::test::reject;

namespace {

boost::json::object minimal_json()
{
    return {{"id", "batch_1"},          {"object", "batch"},   {"endpoint", "/v1/chat/completions"},
            {"input_file_id", "file-1"}, {"completion_window", "24h"}, {"status", "in_progress"},
            {"created_at", 1711471533}};
}

batch minimal_batch()
{
    batch b;
    b.id = "batch_1";
    b.endpoint = "/v1/chat/completions";
    b.input_file_id = "file-1";
    b.completion_window = "24h";
    b.status = batch_status::in_progress;
    b.status_text = "in_progress";
    b.created_at = 1711471533;
    return b;
}

batch parse(const boost::json::object& o)
{
    return batchwire::parse_as<batch>(boost::json::serialize(o));
}

std::string rejection_of(const boost::json::object& o)
{
    const auto r = reject<batch>(boost::json::serialize(o));
    BOOST_TEST(r.code == error::invalid_response);
    return r.message;
}

// One optional field: its wire name, a value to send, and what the batch then holds.
struct optional_field {
    const char* name;
    boost::json::value wire;
    std::function<void(batch&)> set;
};

std::vector<optional_field> optional_fields()
{
    using boost::json::value;
    return {
        {"model", value("gpt-5-2025-08-07"), [](batch& b) { b.model = "gpt-5-2025-08-07"; }},
        {"errors",
         boost::json::parse(R"({"object":"list","data":[{"code":"invalid_json","message":"bad line",
                                "param":"body","line":3},{"code":null,"message":null}]})"),
         [](batch& b) {
             b.errors = std::vector<batchwire::batch_error>{{"invalid_json", "bad line", "body", 3}, {}};
         }},
        {"output_file_id", value("file-out"), [](batch& b) { b.output_file_id = "file-out"; }},
        {"error_file_id", value("file-err"), [](batch& b) { b.error_file_id = "file-err"; }},
        {"in_progress_at", value(101), [](batch& b) { b.in_progress_at = 101; }},
        {"expires_at", value(102), [](batch& b) { b.expires_at = 102; }},
        {"finalizing_at", value(103), [](batch& b) { b.finalizing_at = 103; }},
        {"completed_at", value(104), [](batch& b) { b.completed_at = 104; }},
        {"failed_at", value(105), [](batch& b) { b.failed_at = 105; }},
        {"expired_at", value(106), [](batch& b) { b.expired_at = 106; }},
        {"cancelling_at", value(107), [](batch& b) { b.cancelling_at = 107; }},
        {"cancelled_at", value(0), [](batch& b) { b.cancelled_at = 0; }},
        {"request_counts", boost::json::parse(R"({"total":10,"completed":7,"failed":2})"),
         [](batch& b) { b.request_counts = batchwire::batch_request_counts{10, 7, 2}; }},
        {"usage",
         boost::json::parse(R"({"input_tokens":1500,"input_tokens_details":{"cached_tokens":1024},
                                "output_tokens":500,"output_tokens_details":{"reasoning_tokens":300},
                                "total_tokens":2000})"),
         [](batch& b) { b.usage = batchwire::batch_usage{1500, 1024, 500, 300, 2000}; }},
        {"metadata", boost::json::parse(R"({"customer_id":"user_1","note":""})"),
         [](batch& b) { b.metadata = batchwire::metadata_map{{"customer_id", "user_1"}, {"note", ""}}; }},
    };
}

} // namespace

BOOST_AUTO_TEST_SUITE(model_batch)

BOOST_AUTO_TEST_CASE(required_fields_only)
{
    const batch b = parse(minimal_json());
    BOOST_TEST((b == minimal_batch()));
    BOOST_TEST(!b.model);
    BOOST_TEST(!b.errors);
    BOOST_TEST(!b.request_counts);
    BOOST_TEST(!b.usage);
    BOOST_TEST(!b.metadata);
}

BOOST_AUTO_TEST_CASE(each_optional_field_absent_null_or_set)
{
    for (const optional_field& f : optional_fields()) {
        BOOST_TEST_CONTEXT("field " << f.name)
        {
            boost::json::object o = minimal_json();
            o.erase(f.name);
            BOOST_TEST((parse(o) == minimal_batch()));

            o[f.name] = nullptr;
            BOOST_TEST((parse(o) == minimal_batch()));

            o[f.name] = f.wire;
            batch expected = minimal_batch();
            f.set(expected);
            BOOST_TEST((parse(o) == expected));
            BOOST_TEST(!(parse(o) == minimal_batch()));
        }
    }
}

BOOST_AUTO_TEST_CASE(optional_fields_of_the_wrong_type_are_named)
{
    const std::vector<std::pair<const char*, const char*>> cases{
        {"model", "batch.model: expected a string, got integer"},
        {"output_file_id", "batch.output_file_id: expected a string, got integer"},
        {"error_file_id", "batch.error_file_id: expected a string, got integer"},
        {"errors", "batch.errors: expected an object, got integer"},
        {"request_counts", "batch.request_counts: expected an object, got integer"},
        {"usage", "batch.usage: expected an object, got integer"},
        {"metadata", "batch.metadata: expected an object, got integer"},
    };
    for (const auto& [name, message] : cases) {
        boost::json::object o = minimal_json();
        o[name] = 42;
        BOOST_TEST(rejection_of(o) == message);
    }
    for (const char* name : {"in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at",
                             "expired_at", "cancelling_at", "cancelled_at"}) {
        boost::json::object o = minimal_json();
        o[name] = "1711471533";
        BOOST_TEST(rejection_of(o) == "batch." + std::string(name) + ": expected an integer, got string");
        o[name] = 1.5;
        BOOST_TEST(rejection_of(o) == "batch." + std::string(name) + ": expected an integer, got number");
    }
}

BOOST_AUTO_TEST_CASE(missing_required_fields_are_named)
{
    for (const char* name : {"id", "endpoint", "input_file_id", "completion_window", "status", "created_at"}) {
        boost::json::object o = minimal_json();
        o.erase(name);
        BOOST_TEST(rejection_of(o) == "batch." + std::string(name) + ": required field is missing");
    }
}

BOOST_AUTO_TEST_CASE(required_fields_of_the_wrong_type_are_named)
{
    for (const char* name : {"id", "endpoint", "input_file_id", "completion_window", "status"}) {
        boost::json::object o = minimal_json();
        o[name] = 7;
        BOOST_TEST(rejection_of(o) == "batch." + std::string(name) + ": expected a string, got integer");
        o[name] = nullptr;
        BOOST_TEST(rejection_of(o) == "batch." + std::string(name) + ": expected a string, got null");
    }
    boost::json::object o = minimal_json();
    o["created_at"] = "yesterday";
    BOOST_TEST(rejection_of(o) == "batch.created_at: expected an integer, got string");
    o["created_at"] = true;
    BOOST_TEST(rejection_of(o) == "batch.created_at: expected an integer, got boolean");
    o["created_at"] = boost::json::array{};
    BOOST_TEST(rejection_of(o) == "batch.created_at: expected an integer, got array");
}

BOOST_AUTO_TEST_CASE(integers_outside_int64_are_refused)
{
    const auto max = std::numeric_limits<std::int64_t>::max();
    const auto min = std::numeric_limits<std::int64_t>::min();
    boost::json::object o = minimal_json();
    o["created_at"] = max;
    o["expires_at"] = min;
    const batch b = parse(o);
    BOOST_TEST(b.created_at == max);
    BOOST_TEST(*b.expires_at == min);

    BOOST_TEST(reject<batch>(R"({"id":"b","endpoint":"e","input_file_id":"f","completion_window":"24h",
                                "status":"failed","created_at":9223372036854775808})")
                   .message == "batch.created_at: integer 9223372036854775808 is out of the int64 range");
}

BOOST_AUTO_TEST_CASE(object_tag)
{
    boost::json::object o = minimal_json();
    o.erase("object");
    BOOST_TEST((parse(o) == minimal_batch()));
    o["object"] = nullptr;
    BOOST_TEST((parse(o) == minimal_batch()));
    o["object"] = "file";
    BOOST_TEST(rejection_of(o) == R"(batch.object: expected "batch", got "file")");
    o["object"] = 1;
    BOOST_TEST(rejection_of(o) == "batch.object: expected a string, got integer");
}

BOOST_AUTO_TEST_CASE(not_an_object)
{
    BOOST_TEST(reject<batch>("[]").message == "batch: expected an object, got array");
    BOOST_TEST(reject<batch>("\"batch_1\"").message == "batch: expected an object, got string");
    BOOST_TEST(reject<batch>("null").message == "batch: expected an object, got null");
}

BOOST_AUTO_TEST_CASE(documented_statuses)
{
    const std::vector<std::pair<const char*, batch_status>> statuses{
        {"validating", batch_status::validating}, {"failed", batch_status::failed},
        {"in_progress", batch_status::in_progress}, {"finalizing", batch_status::finalizing},
        {"completed", batch_status::completed},   {"expired", batch_status::expired},
        {"cancelling", batch_status::cancelling}, {"cancelled", batch_status::cancelled},
    };
    for (const auto& [name, status] : statuses) {
        BOOST_TEST(batchwire::to_string(status) == name);
        BOOST_TEST((batchwire::parse_batch_status(name) == status));
        boost::json::object o = minimal_json();
        o["status"] = name;
        const batch b = parse(o);
        BOOST_TEST((b.status == status));
        BOOST_TEST(b.status_text == name);
    }
    BOOST_TEST(batchwire::to_string(batch_status::unknown) == "unknown");
}

BOOST_AUTO_TEST_CASE(terminal_statuses)
{
    BOOST_TEST(batchwire::is_terminal(batch_status::completed));
    BOOST_TEST(batchwire::is_terminal(batch_status::failed));
    BOOST_TEST(batchwire::is_terminal(batch_status::expired));
    BOOST_TEST(batchwire::is_terminal(batch_status::cancelled));
    BOOST_TEST(!batchwire::is_terminal(batch_status::validating));
    BOOST_TEST(!batchwire::is_terminal(batch_status::in_progress));
    BOOST_TEST(!batchwire::is_terminal(batch_status::finalizing));
    BOOST_TEST(!batchwire::is_terminal(batch_status::cancelling));
    BOOST_TEST(!batchwire::is_terminal(batch_status::unknown));
}

BOOST_AUTO_TEST_CASE(unknown_status_is_kept)
{
    for (const char* name : {"paused", "unknown", "", "Completed", "in progress"}) {
        boost::json::object o = minimal_json();
        o["status"] = name;
        const batch b = parse(o);
        BOOST_TEST((b.status == batch_status::unknown));
        BOOST_TEST(b.status_text == name);
        BOOST_TEST(!b.is_terminal());
        // Written back as it came in.
        BOOST_TEST(boost::json::value_from(b).at("status") == name);
    }
}

BOOST_AUTO_TEST_CASE(written_status_follows_the_enum_when_known)
{
    batch b = minimal_batch();
    b.status = batch_status::cancelled;
    b.status_text = "in_progress"; // stale text does not win over a known status
    BOOST_TEST(boost::json::value_from(b).at("status") == "cancelled");
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored)
{
    boost::json::object o = minimal_json();
    o["future_field"] = boost::json::parse(R"({"nested":[1,2,{"x":null}]})");
    o["another"] = nullptr;
    o["usage_v2"] = "text";
    BOOST_TEST((parse(o) == minimal_batch()));

    o["request_counts"] = boost::json::parse(R"({"total":3,"completed":1,"failed":1,"cancelled":1})");
    BOOST_TEST(parse(o).request_counts->total == 3);
}

BOOST_AUTO_TEST_CASE(nested_fields_are_named)
{
    struct nested_case {
        const char* field;
        const char* wire;
        const char* message;
    };
    const std::vector<nested_case> cases{
        {"request_counts", R"({"total":"3","completed":1,"failed":0})",
         "batch.request_counts.total: expected an integer, got string"},
        {"request_counts", R"({"total":3,"completed":1})", "batch.request_counts.failed: required field is missing"},
        {"usage",
         R"({"input_tokens":1,"output_tokens":1,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2})",
         "batch.usage.input_tokens_details: required field is missing"},
        {"usage",
         R"({"input_tokens":1,"input_tokens_details":{},"output_tokens":1,
             "output_tokens_details":{"reasoning_tokens":0},"total_tokens":2})",
         "batch.usage.input_tokens_details.cached_tokens: required field is missing"},
        {"usage",
         R"({"input_tokens":1,"input_tokens_details":{"cached_tokens":0},"output_tokens":1,
             "output_tokens_details":{"reasoning_tokens":null},"total_tokens":2})",
         "batch.usage.output_tokens_details.reasoning_tokens: expected an integer, got null"},
        {"errors", R"({"object":"list","data":[{"code":"a"},{"line":"7"}]})",
         "batch.errors.data[1].line: expected an integer, got string"},
        {"errors", R"({"object":"list","data":[{"code":"a"},{"param":false}]})",
         "batch.errors.data[1].param: expected a string, got boolean"},
        {"errors", R"({"object":"list","data":["oops"]})", "batch.errors.data[0]: expected an object, got string"},
        {"errors", R"({"object":"dict","data":[]})", R"(batch.errors.object: expected "list", got "dict")"},
        {"errors", R"({"data":{}})", "batch.errors.data: expected an array, got object"},
        {"metadata", R"({"customer_id":5})", "batch.metadata.customer_id: expected a string, got integer"},
        {"metadata", R"(["a"])", "batch.metadata: expected an object, got array"},
    };
    for (const nested_case& c : cases) {
        boost::json::object o = minimal_json();
        o[c.field] = boost::json::parse(c.wire);
        BOOST_TEST(rejection_of(o) == c.message);
    }
}

BOOST_AUTO_TEST_CASE(errors_list_without_data_is_empty)
{
    boost::json::object o = minimal_json();
    o["errors"] = boost::json::parse(R"({"object":"list"})");
    BOOST_TEST(parse(o).errors->empty());
    o["errors"] = boost::json::parse(R"({"data":null})");
    BOOST_TEST(parse(o).errors->empty());
}

BOOST_AUTO_TEST_CASE(written_form)
{
    const boost::json::value v = boost::json::value_from(minimal_batch());
    const boost::json::object& o = v.as_object();
    BOOST_TEST(o.at("object") == "batch");
    BOOST_TEST(o.at("id") == "batch_1");
    BOOST_TEST(o.at("created_at") == 1711471533);
    // Unset optionals are written as null, like the API does.
    for (const optional_field& f : optional_fields()) {
        BOOST_TEST_CONTEXT("field " << f.name)
        {
            BOOST_TEST(o.contains(f.name));
            BOOST_TEST(o.at(f.name).is_null());
        }
    }
    // The nested wire shapes.
    batch b = minimal_batch();
    b.usage = batchwire::batch_usage{1, 2, 3, 4, 5};
    b.errors = std::vector<batchwire::batch_error>{{"c", "m", std::nullopt, 9}};
    const boost::json::value w = boost::json::value_from(b);
    BOOST_TEST(w.at("usage").at("input_tokens_details").at("cached_tokens") == 2);
    BOOST_TEST(w.at("usage").at("output_tokens_details").at("reasoning_tokens") == 4);
    BOOST_TEST(w.at("errors").at("object") == "list");
    BOOST_TEST(w.at("errors").at("data").at(0).at("line") == 9);
    BOOST_TEST(w.at("errors").at("data").at(0).at("param").is_null());
}

BOOST_AUTO_TEST_CASE(batch_error_on_its_own)
{
    const auto e = boost::json::value_to<batchwire::batch_error>(
        boost::json::parse(R"({"code":"x","message":"y","param":null,"line":12})"));
    BOOST_TEST(e.code == "x");
    BOOST_TEST(e.message == "y");
    BOOST_TEST(!e.param);
    BOOST_TEST(*e.line == 12);
    BOOST_TEST((boost::json::value_to<batchwire::batch_error>(boost::json::value_from(e)) == e));
    BOOST_TEST(reject<batchwire::batch_error>(R"({"line":[]})").message ==
               "batch_error.line: expected an integer, got array");
}

BOOST_AUTO_TEST_SUITE_END()
