// The batch lifecycle on a driven (manual) clock: every status path and every timestamp.
#include "emulator_test_client.hpp"

#include <batchwire/batch_line.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace emulator_test;
namespace em = batchwire::emulator;
using batchwire::batch_status;

namespace {

constexpr std::int64_t t0 = 1'700'000'000;

em::emulator_options driven_options()
{
    em::emulator_options o;
    o.manual_clock = true;
    o.start_time = t0;
    o.validating_duration = std::chrono::seconds(2);
    o.requests_per_second = 1;
    o.finalizing_duration = std::chrono::seconds(2);
    o.cancelling_window = std::chrono::seconds(600);
    o.cancel_drain_duration = std::chrono::seconds(1);
    return o;
}

batchwire::batch make_batch(em::server& s, std::size_t lines)
{
    const auto file = s.put_file("input.jsonl", "batch", chat_lines(lines));
    batchwire::batch_create_params p;
    p.input_file_id = file.id;
    p.endpoint = "/v1/chat/completions";
    p.metadata = batchwire::metadata_map{{"job", "nightly"}};
    return s.put_batch(p);
}

std::vector<batchwire::batch_output_line> read_lines(const std::string& jsonl)
{
    std::vector<batchwire::batch_output_line> out;
    std::istringstream in(jsonl);
    std::string line;
    while (std::getline(in, line))
        out.push_back(boost::json::value_to<batchwire::batch_output_line>(boost::json::parse(line)));
    return out;
}

void advance_s(em::server& s, int seconds) { s.advance(std::chrono::seconds(seconds)); }

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_lifecycle)

BOOST_AUTO_TEST_CASE(completes_with_output_and_error_files)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    s.fail_lines([](std::string_view id) { return id == "req-1"; });
    const auto created = make_batch(s, 3);

    BOOST_TEST(created.id.rfind("batch_", 0) == 0);
    BOOST_TEST(status_name(created) == "validating");
    BOOST_TEST(created.created_at == t0);
    BOOST_TEST(created.expires_at.value() == t0 + 86400);
    BOOST_TEST(counts_text(created) == "0/0/0");
    BOOST_TEST(!created.in_progress_at);
    BOOST_TEST(!created.output_file_id);
    BOOST_TEST(created.metadata.value().at("job") == "nightly");

    advance_s(s, 1);
    BOOST_TEST(status_name(s.find_batch(created.id)) == "validating");
    advance_s(s, 1); // t0+2: validated
    auto b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "in_progress");
    BOOST_TEST(b.in_progress_at.value() == t0 + 2);
    BOOST_TEST(counts_text(b) == "3/0/0");
    BOOST_TEST(b.model.value() == "gpt-4o-mini");

    advance_s(s, 2); // two requests ran: req-0 ok, req-1 failed
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "in_progress");
    BOOST_TEST(counts_text(b) == "3/1/1");

    advance_s(s, 1); // t0+5: all ran
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "finalizing");
    BOOST_TEST(b.finalizing_at.value() == t0 + 5);
    BOOST_TEST(!b.output_file_id);

    advance_s(s, 2); // t0+7
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "completed");
    BOOST_TEST(b.completed_at.value() == t0 + 7);
    BOOST_TEST(counts_text(b) == "3/2/1");
    BOOST_TEST(!b.failed_at);
    BOOST_TEST(!b.cancelling_at);
    BOOST_TEST(!b.cancelled_at);
    BOOST_TEST(!b.expired_at);
    BOOST_TEST(b.usage.value().total_tokens > 0);
    BOOST_REQUIRE(b.output_file_id);
    BOOST_REQUIRE(b.error_file_id);

    const auto out_file = s.find_file(*b.output_file_id);
    BOOST_REQUIRE(out_file);
    BOOST_TEST(out_file->purpose == "batch_output");
    BOOST_TEST(out_file->created_at == t0 + 7);
    const auto outputs = read_lines(*s.file_content(*b.output_file_id));
    BOOST_REQUIRE_EQUAL(outputs.size(), 2u);
    BOOST_TEST(outputs[0].custom_id == "req-0");
    BOOST_TEST(outputs[1].custom_id == "req-2");
    for (const auto& line : outputs) {
        BOOST_TEST(line.id.rfind("batch_req_", 0) == 0);
        BOOST_REQUIRE(line.response);
        BOOST_TEST(line.response->status_code == 200);
        BOOST_TEST(line.response->request_id.rfind("req_", 0) == 0);
        BOOST_TEST(line.response->body.at("object").as_string() == "chat.completion");
        BOOST_TEST(!line.error);
    }
    const auto errors = read_lines(*s.file_content(*b.error_file_id));
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].custom_id == "req-1");
    BOOST_REQUIRE(errors[0].response);
    BOOST_TEST(errors[0].response->status_code == 400);
    BOOST_TEST(errors[0].response->body.at("error").at("type").as_string() == "invalid_request_error");

    // Over the wire: the same batch, every field the API sends (nulls included).
    test_client c(s);
    const auto r = c.get("/v1/batches/" + created.id);
    BOOST_TEST(r.status == 200u);
    const auto v = r.json().as_object();
    for (const char* key : {"id", "object", "endpoint", "errors", "input_file_id", "completion_window", "status",
                            "output_file_id", "error_file_id", "created_at", "in_progress_at", "expires_at",
                            "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at",
                            "cancelled_at", "request_counts", "metadata"})
        BOOST_TEST(v.contains(key), "batch lacks " << key);
    BOOST_TEST(v.at("object").as_string() == "batch");
    BOOST_TEST(v.at("status").as_string() == "completed");
    BOOST_TEST(v.at("failed_at").is_null());

    // The output file downloads byte for byte.
    const auto content = c.get("/v1/files/" + *b.output_file_id + "/content");
    BOOST_TEST(content.status == 200u);
    BOOST_TEST(content.body == *s.file_content(*b.output_file_id));
}

BOOST_AUTO_TEST_CASE(cancel_while_validating)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const auto created = make_batch(s, 3);
    advance_s(s, 1);
    test_client c(s);
    auto r = c.post("/v1/batches/" + created.id + "/cancel");
    BOOST_TEST(r.status == 200u);
    auto b = boost::json::value_to<batchwire::batch>(r.json());
    BOOST_TEST(status_name(b) == "cancelling");
    BOOST_TEST(b.cancelling_at.value() == t0 + 1);
    BOOST_TEST(!b.in_progress_at);

    // Cancelling a cancelling batch returns it unchanged.
    advance_s(s, 10);
    r = c.post("/v1/batches/" + created.id + "/cancel");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST((boost::json::value_to<batchwire::batch>(r.json()) == b));

    advance_s(s, 589); // t0+600: one second short of the window
    BOOST_TEST(status_name(s.find_batch(created.id)) == "cancelling");
    advance_s(s, 1);
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "cancelled");
    BOOST_TEST(b.cancelled_at.value() == t0 + 601);
    BOOST_TEST(!b.output_file_id);
    BOOST_TEST(!b.error_file_id);
    BOOST_TEST(counts_text(b) == "0/0/0");

    // A terminal batch cannot be cancelled.
    r = c.post("/v1/batches/" + created.id + "/cancel");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(is_api_error_body(r.body));
    BOOST_TEST(r.json().at("error").at("message").as_string() == "Cannot cancel a batch with status 'cancelled'.");
}

BOOST_AUTO_TEST_CASE(cancel_while_in_progress_drains_then_reports_partial_results)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const auto created = make_batch(s, 5);
    advance_s(s, 4); // t0+4: 2 of 5 ran
    test_client c(s);
    auto r = c.post("/v1/batches/" + created.id + "/cancel");
    BOOST_REQUIRE(r.status == 200u);
    auto b = boost::json::value_to<batchwire::batch>(r.json());
    BOOST_TEST(status_name(b) == "cancelling");
    BOOST_TEST(b.cancelling_at.value() == t0 + 4);
    BOOST_TEST(b.in_progress_at.value() == t0 + 2);
    BOOST_TEST(counts_text(b) == "5/2/0");

    advance_s(s, 5); // the drain lets one more request finish, no more
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "cancelling");
    BOOST_TEST(counts_text(b) == "5/3/0");

    advance_s(s, 595); // t0+604 = cancelling_at + 600
    b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "cancelled");
    BOOST_TEST(b.cancelled_at.value() == t0 + 604);
    BOOST_TEST(!b.finalizing_at);
    BOOST_TEST(!b.completed_at);
    BOOST_REQUIRE(b.output_file_id);
    BOOST_REQUIRE(b.error_file_id);
    const auto outputs = read_lines(*s.file_content(*b.output_file_id));
    BOOST_TEST(outputs.size() == 3u);
    const auto errors = read_lines(*s.file_content(*b.error_file_id));
    BOOST_REQUIRE_EQUAL(errors.size(), 2u);
    for (const auto& e : errors) {
        BOOST_TEST(!e.response);
        BOOST_REQUIRE(e.error);
        BOOST_TEST(e.error->code == "batch_cancelled");
        BOOST_TEST(!e.error->message.empty());
    }
    BOOST_TEST(errors[0].custom_id == "req-3");
    BOOST_TEST(errors[1].custom_id == "req-4");
}

BOOST_AUTO_TEST_CASE(cancel_while_finalizing_keeps_every_result)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const auto created = make_batch(s, 2);
    advance_s(s, 5); // validated at +2, ran by +4, finalizing until +6
    BOOST_REQUIRE(status_name(s.find_batch(created.id)) == "finalizing");
    test_client c(s);
    const auto r = c.post("/v1/batches/" + created.id + "/cancel");
    BOOST_TEST(r.status == 200u);
    advance_s(s, 600);
    const auto b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "cancelled");
    BOOST_TEST(b.finalizing_at.value() == t0 + 4);
    BOOST_TEST(b.cancelling_at.value() == t0 + 5);
    BOOST_TEST(b.cancelled_at.value() == t0 + 605);
    BOOST_TEST(counts_text(b) == "2/2/0");
    BOOST_TEST(b.output_file_id.has_value());
    BOOST_TEST(!b.error_file_id);
}

BOOST_AUTO_TEST_CASE(expires_when_the_window_closes_first)
{
    auto o = driven_options();
    o.completion_window = std::chrono::seconds(10);
    o.requests_per_second = 0.25; // one request every 4 s
    running_emulator emu(o);
    auto& s = emu.server;
    const auto created = make_batch(s, 5);
    BOOST_TEST(created.expires_at.value() == t0 + 10);
    advance_s(s, 9);
    BOOST_TEST(status_name(s.find_batch(created.id)) == "in_progress");
    advance_s(s, 1);
    const auto b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "expired");
    BOOST_TEST(b.expired_at.value() == t0 + 10);
    BOOST_TEST(counts_text(b) == "5/2/0"); // ran at +6 and +10
    const auto errors = read_lines(*s.file_content(b.error_file_id.value()));
    BOOST_REQUIRE_EQUAL(errors.size(), 3u);
    BOOST_TEST(errors[0].error.value().code == "batch_expired");
    BOOST_TEST(read_lines(*s.file_content(b.output_file_id.value())).size() == 2u);
}

BOOST_AUTO_TEST_CASE(fails_validation_of_an_empty_file)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const auto file = s.put_file("empty.jsonl", "batch", "");
    batchwire::batch_create_params p;
    p.input_file_id = file.id;
    p.endpoint = "/v1/chat/completions";
    const auto created = s.put_batch(p);
    advance_s(s, 2);
    const auto b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "failed");
    BOOST_TEST(b.failed_at.value() == t0 + 2);
    BOOST_TEST(!b.in_progress_at);
    BOOST_REQUIRE(b.errors);
    BOOST_REQUIRE_EQUAL(b.errors->size(), 1u);
    BOOST_TEST(b.errors->front().code == "empty_file");

    // On the wire: errors is {object: list, data: [...]}.
    test_client c(s);
    const auto v = c.get("/v1/batches/" + created.id).json();
    BOOST_TEST(v.at("errors").at("object").as_string() == "list");
    BOOST_TEST(v.at("errors").at("data").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(fails_validation_naming_the_line_whose_url_differs)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const std::string content = chat_lines(1) + chat_lines(1, "/v1/embeddings").replace(18, 1, "9");
    const auto file = s.put_file("mixed.jsonl", "batch", content);
    batchwire::batch_create_params p;
    p.input_file_id = file.id;
    p.endpoint = "/v1/chat/completions";
    const auto created = s.put_batch(p);
    advance_s(s, 2);
    const auto b = *s.find_batch(created.id);
    BOOST_TEST(status_name(b) == "failed");
    BOOST_REQUIRE(b.errors && !b.errors->empty());
    BOOST_TEST(b.errors->front().code == "invalid_url");
    BOOST_TEST(b.errors->front().line.value() == 2);
    BOOST_TEST(b.errors->front().param.value() == "url");
}

BOOST_AUTO_TEST_CASE(scaled_clock_completes_a_batch)
{
    em::emulator_options o;
    o.time_scale = 1e6; // a day of emulated time in under 0.1 s of wall time
    running_emulator emu(o);
    auto& s = emu.server;
    const auto created = make_batch(s, 4);
    // No advance(): the scaled clock alone moves it. Looked at every 1 ms of wall time (a
    // timer wait, not a spin), at most 10000 times.
    asio::io_context ioc;
    asio::steady_timer tick(ioc);
    std::optional<batchwire::batch> b;
    for (int looks = 0; looks < 10000; ++looks) {
        b = s.find_batch(created.id);
        if (!b || b->is_terminal())
            break;
        tick.expires_after(1ms);
        tick.wait();
    }
    BOOST_REQUIRE(b);
    BOOST_TEST(status_name(b) == "completed");
    BOOST_TEST(b->in_progress_at.value() >= b->created_at + 2);
    BOOST_TEST(b->completed_at.value() >= b->finalizing_at.value() + 2);
    BOOST_TEST(counts_text(*b) == "4/4/0");
}

BOOST_AUTO_TEST_SUITE_END()
