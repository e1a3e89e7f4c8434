// The batch lifecycle on a driven (manual) clock: every status path and every timestamp.
#include "emulator_test_client.hpp"

#include <batchwire/batch_line.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
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

// The live API's answer to cancelling a batch that has ended.
void check_cannot_cancel(const http_result& r, const std::string& status)
{
    BOOST_TEST(r.status == 409u);
    BOOST_REQUIRE(is_api_error_body(r.body));
    const boost::json::value body = r.json();
    const auto& e = body.at("error");
    BOOST_TEST(e.at("message").as_string() == "Cannot cancel a batch with status '" + status + "'.");
    BOOST_TEST(e.at("type") == "invalid_request_error");
    BOOST_TEST(e.at("code").is_null());
    BOOST_TEST(e.at("param").is_null());
    BOOST_TEST(!r.has_header("x-should-retry")); // the live API is not known to send it
}

// The output lines of a 2-request batch to `endpoint`, run to completion.
std::vector<batchwire::batch_output_line> results_of(em::server& s, const std::string& endpoint,
                                                     const std::string& body)
{
    std::string input;
    for (int i = 0; i < 2; ++i)
        input += R"({"custom_id":"req-)" + std::to_string(i) + R"(","method":"POST","url":")" + endpoint +
                 R"(","body":)" + body + "}\n";
    const auto file = s.put_file("input.jsonl", "batch", input);
    batchwire::batch_create_params p;
    p.input_file_id = file.id;
    p.endpoint = endpoint;
    const auto created = s.put_batch(p);
    s.advance(std::chrono::seconds(60));
    const auto done = *s.find_batch(created.id);
    BOOST_REQUIRE(status_name(done) == "completed");
    BOOST_REQUIRE(done.output_file_id.has_value());
    BOOST_TEST(!done.error_file_id.has_value());
    return read_lines(s.file_content(*done.output_file_id).value());
}

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

    // A terminal batch cannot be cancelled: 409, as the live API answers.
    r = c.post("/v1/batches/" + created.id + "/cancel");
    check_cannot_cancel(r, "cancelled");
    BOOST_TEST((*s.find_batch(created.id) == b));
}

BOOST_AUTO_TEST_CASE(cancelling_any_ended_batch_is_409)
{
    auto o = driven_options();
    o.completion_window = std::chrono::seconds(10);
    o.requests_per_second = 0.25; // one request every 4 s: 5 requests outlast the window
    running_emulator emu(o);
    auto& s = emu.server;
    test_client c(s);

    const auto completed = make_batch(s, 1);
    const auto expiring = make_batch(s, 5);
    batchwire::batch_create_params empty;
    empty.input_file_id = s.put_file("empty.jsonl", "batch", "").id;
    empty.endpoint = "/v1/chat/completions";
    const auto failed = s.put_batch(empty);
    advance_s(s, 10);
    BOOST_REQUIRE(status_name(s.find_batch(completed.id)) == "completed");
    BOOST_REQUIRE(status_name(s.find_batch(expiring.id)) == "expired");
    BOOST_REQUIRE(status_name(s.find_batch(failed.id)) == "failed");
    check_cannot_cancel(c.post("/v1/batches/" + completed.id + "/cancel"), "completed");
    check_cannot_cancel(c.post("/v1/batches/" + expiring.id + "/cancel"), "expired");
    check_cannot_cancel(c.post("/v1/batches/" + failed.id + "/cancel"), "failed");
    BOOST_TEST(status_name(s.find_batch(completed.id)) == "completed"); // untouched
}

BOOST_AUTO_TEST_CASE(image_results_carry_b64_json_and_no_url)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    for (const std::string endpoint : {"/v1/images/generations", "/v1/images/edits"}) {
        BOOST_TEST_CONTEXT(endpoint)
        {
            const auto lines = results_of(s, endpoint, R"({"model":"gpt-image-1","prompt":"a lighthouse"})");
            BOOST_REQUIRE(lines.size() == 2u);
            for (const auto& l : lines) {
                BOOST_REQUIRE(l.response.has_value());
                BOOST_TEST(l.response->status_code == 200);
                const auto& body = l.response->body.as_object();
                BOOST_TEST(body.at("created").is_int64());
                const auto& data = body.at("data").as_array();
                BOOST_REQUIRE(data.size() == 1u);
                const auto& image = data.at(0).as_object();
                BOOST_TEST(!image.contains("url"));
                BOOST_REQUIRE(image.contains("b64_json"));
                // A real (1x1) PNG: its base64 opens with the PNG signature.
                BOOST_TEST(image.at("b64_json").as_string().starts_with("iVBORw0KGgo"));
                BOOST_TEST(body.at("usage").at("total_tokens").as_int64() > 0);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(video_results_are_video_objects)
{
    running_emulator emu(driven_options());
    auto& s = emu.server;
    const auto lines = results_of(s, "/v1/videos", R"({"model":"sora-2-pro","prompt":"waves at dusk"})");
    BOOST_REQUIRE(lines.size() == 2u);
    std::set<std::string> ids;
    for (const auto& l : lines) {
        BOOST_REQUIRE(l.response.has_value());
        BOOST_TEST(l.response->status_code == 200);
        const auto& video = l.response->body.as_object();
        BOOST_TEST(video.at("object") == "video");
        BOOST_TEST(video.at("id").as_string().starts_with("video_"));
        ids.insert(std::string(video.at("id").as_string()));
        BOOST_TEST(video.at("model") == "sora-2-pro"); // the request's model
        BOOST_TEST(video.at("status") == "completed");
        BOOST_TEST(video.at("progress") == 100);
        BOOST_TEST(video.at("created_at").is_int64());
        BOOST_TEST(video.at("seconds").is_string());
        BOOST_TEST(video.at("size").is_string());
        BOOST_TEST(!video.contains("data"));
        BOOST_TEST(!video.contains("url"));
    }
    BOOST_TEST(ids.size() == 2u); // each its own video
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
