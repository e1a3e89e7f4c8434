// Every client operation against the emulator over verified TLS on loopback.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;

namespace {

std::string write_temp_file(const std::string& name, const std::string& content)
{
    auto p = std::filesystem::temp_directory_path() / ("batchwire-test-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
}

// A JSONL input file of n requests to `endpoint`, each with `body`.
std::string input_lines(int n, std::string_view endpoint, std::string_view body)
{
    std::string s;
    for (int i = 0; i < n; ++i)
        s += R"({"custom_id":"req-)" + std::to_string(i) + R"(","method":"POST","url":")" + std::string(endpoint) +
             R"(","body":)" + std::string(body) + "}\n";
    return s;
}

// A batch of 3 chat requests that has run to `completed` on the emulator's clock.
batch completed_batch(emulator_fixture& f)
{
    const auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(3));
    const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions"};
    const batch b = f.server->put_batch(p);
    f.server->advance(std::chrono::seconds(60));
    const auto done = f.server->find_batch(b.id);
    BOOST_REQUIRE(done.has_value());
    BOOST_REQUIRE(done->status == batch_status::completed);
    return *done;
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_operations, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(upload_create_retrieve_cancel_download)
{
    emulator_fixture f;
    client c(f.ctx, f.client_opts());
    const auto input = batchwire::test::make_input_jsonl(100);
    const auto path = write_temp_file("input.jsonl", input);

    auto file = f.run(c.upload_file({.path = path}));
    BOOST_TEST(file.id.starts_with("file-"));
    BOOST_TEST(file.bytes == static_cast<std::int64_t>(input.size()));
    BOOST_TEST(file.purpose == "batch");
    BOOST_TEST(file.filename == std::filesystem::path(path).filename().string());
    BOOST_TEST(f.server->file_content(file.id).value_or("") == input);

    auto again = f.run(c.retrieve_file(file.id));
    BOOST_TEST((again == file));

    response_metadata meta;
    auto b = f.run(c.create({.input_file_id = file.id, .endpoint = "/v1/chat/completions",
                             .metadata = metadata_map{{"job", "nightly"}}},
                            {.metadata = &meta}));
    BOOST_TEST(b.id.starts_with("batch_"));
    BOOST_TEST(b.status == batch_status::validating);
    BOOST_TEST(b.metadata.value().at("job") == "nightly");
    BOOST_TEST(meta.http_status == 200u);
    BOOST_TEST(meta.request_id.starts_with("req_"));
    BOOST_TEST(meta.attempts == 1u);
    BOOST_TEST(meta.limits.limit_requests.has_value());

    f.server->advance(std::chrono::seconds(3)); // validating -> in_progress
    f.server->advance(std::chrono::seconds(2)); // some requests run
    auto running = f.run(c.retrieve(b.id));
    BOOST_TEST(running.status == batch_status::in_progress);
    BOOST_TEST(running.request_counts.value().total == 100);

    auto cancelling = f.run(c.cancel(b.id));
    BOOST_TEST(cancelling.status == batch_status::cancelling);
    BOOST_TEST(cancelling.cancelling_at.has_value());

    f.server->advance(std::chrono::seconds(601));
    auto cancelled = f.run(c.retrieve(b.id));
    BOOST_REQUIRE(cancelled.status == batch_status::cancelled);
    BOOST_REQUIRE(cancelled.output_file_id.has_value());

    // The partial results, raw and as typed lines.
    std::string raw;
    auto bytes = f.run(c.download_file(*cancelled.output_file_id, [&](std::string_view chunk, boost::system::error_code&) {
        raw.append(chunk);
    }));
    BOOST_TEST(bytes == raw.size());
    BOOST_TEST(raw == f.server->file_content(*cancelled.output_file_id).value());

    std::set<std::string> ids;
    auto lines = f.run(c.read_batch_lines(*cancelled.output_file_id, [&](batch_output_line&& l, boost::system::error_code&) {
        BOOST_TEST(l.response.has_value());
        ids.insert(l.custom_id);
    }));
    BOOST_TEST(lines == ids.size());
    BOOST_TEST(lines > 0u);
    BOOST_TEST(static_cast<std::int64_t>(lines) == cancelled.request_counts.value().completed);

    // Never-run requests are in the error file as batch_cancelled.
    BOOST_REQUIRE(cancelled.error_file_id.has_value());
    std::size_t never_run = 0;
    f.run(c.read_batch_lines(*cancelled.error_file_id, [&](batch_output_line&& l, boost::system::error_code&) {
        if (l.error && l.error->code == "batch_cancelled")
            ++never_run;
    }));
    BOOST_TEST(never_run + lines == 100u);

    const auto out_path = write_temp_file("output.jsonl", "");
    auto written = f.run(c.download_file_to(*cancelled.output_file_id, out_path));
    BOOST_TEST(written == raw.size());
    std::ifstream in(out_path, std::ios::binary);
    std::string on_disk((std::istreambuf_iterator<char>(in)), {});
    BOOST_TEST(on_disk == raw);
    BOOST_TEST(!std::filesystem::exists(out_path + ".part"));
    std::filesystem::remove(out_path);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(list_pages_over_250_batches)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    std::set<std::string> created;
    for (int i = 0; i < 250; ++i)
        created.insert(f.server->put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"}).id);

    client c(f.ctx, f.client_opts());
    auto first = f.run(c.list({.limit = 100}));
    BOOST_TEST(first.data.size() == 100u);
    BOOST_TEST(first.has_more);
    BOOST_TEST(first.next_cursor().value() == first.data.back().id);

    const auto pages_before = f.server->request_count("GET /v1/batches");
    batch_pager pager(c, {.limit = 100});
    std::set<std::string> seen;
    std::size_t n = 0;
    f.run([&]() -> asio::awaitable<void> {
        while (auto b = co_await pager.next()) {
            seen.insert(b->id);
            ++n;
        }
    }());
    BOOST_TEST(n == 250u);
    BOOST_TEST((seen == created));
    BOOST_TEST(f.server->request_count("GET /v1/batches") - pages_before == 3u);

    auto dflt = f.run(c.list());
    BOOST_TEST(dflt.data.size() == 20u); // the API's default
}

BOOST_AUTO_TEST_CASE(invalid_ids_are_refused_or_encoded)
{
    emulator_fixture f;
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    for (std::string id : {"", ".", ".."}) {
        auto [ec, b] = f.run(c.async_retrieve(id, diag, asio::as_tuple(asio::use_awaitable)));
        BOOST_TEST(ec == error::invalid_argument);
    }
    BOOST_TEST(f.server->request_count() == 0u); // nothing was sent

    // Ids that would change the path, the query or the headers are percent-encoded: the
    // server sees one unknown id and answers 404.
    for (std::string id : {"a/b", "../files", "x?limit=1", "x#y", "a b", "x\r\nHost: evil", "%2F"}) {
        auto [ec, b] = f.run(c.async_cancel(id, diag, asio::as_tuple(asio::use_awaitable)));
        BOOST_TEST(ec == error::not_found, "id " << id << ": " << describe(ec, diag));
        BOOST_TEST(diag.http_status == 404u);
    }
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 7u);

    auto [ec, p] = f.run(c.async_list({.limit = 0}, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::invalid_argument);
    const batch_create_params no_endpoint{.input_file_id = "file-x", .endpoint = ""};
    auto [ec2, b2] = f.run(c.async_create(no_endpoint, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec2 == error::invalid_argument);
}

// The API adds batchable endpoints over time: the client sends one it does not know, and the
// server's refusal comes back as the typed error it is.
BOOST_AUTO_TEST_CASE(an_unknown_endpoint_reaches_the_server_and_its_400_comes_back_typed)
{
    emulator_fixture f;
    const auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    client c(f.ctx, f.client_opts());
    const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/audio/speech"};
    BOOST_TEST(p.validate() == boost::system::error_code{});

    diagnostics diag;
    auto [ec, b] = f.run(c.async_create(p, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::bad_request, describe(ec, diag));
    BOOST_TEST(diag.http_status == 400u);
    BOOST_TEST(diag.type == "invalid_request_error");
    BOOST_TEST(diag.code == "invalid_value");
    BOOST_TEST(diag.param == "endpoint");
    BOOST_TEST(diag.message.rfind("Invalid value for 'endpoint': expected one of '/v1/responses'", 0) == 0u,
               diag.message);
    BOOST_TEST(!diag.request_id.empty());
    BOOST_TEST(diag.attempts == 1u); // a 400 is final
    BOOST_TEST(b.id.empty());
    BOOST_TEST(f.server->request_count("POST /v1/batches") == 1u);
    BOOST_TEST(f.server->request_count() == 1u);
}

// Image generation, batchable since February 2026, from upload to the typed result lines.
BOOST_AUTO_TEST_CASE(an_images_batch_runs_end_to_end)
{
    emulator_fixture f;
    client c(f.ctx, f.client_opts());
    const auto path = write_temp_file("images.jsonl", input_lines(3, "/v1/images/generations",
                                                                  R"({"model":"gpt-image-1","prompt":"a lighthouse"})"));
    const file_upload_params up{.path = path};
    const auto file = f.run(c.upload_file(up));
    std::filesystem::remove(path);

    const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/images/generations"};
    const batch created = f.run(c.create(p));
    BOOST_TEST(created.endpoint == "/v1/images/generations");
    BOOST_TEST(created.status == batch_status::validating);

    f.server->advance(std::chrono::seconds(60));
    const batch done = f.run(c.retrieve(created.id));
    BOOST_REQUIRE(done.status == batch_status::completed);
    BOOST_TEST((done.request_counts.value() == batch_request_counts{3, 3, 0}));
    BOOST_REQUIRE(done.output_file_id.has_value());
    BOOST_TEST(!done.error_file_id.has_value());

    std::set<std::string> ids;
    const auto n = f.run(c.read_batch_lines(*done.output_file_id, [&](batch_output_line&& l, boost::system::error_code&) {
        ids.insert(l.custom_id);
        BOOST_REQUIRE(l.response.has_value());
        BOOST_TEST(l.response->status_code == 200);
        const auto& item = l.response->body.at("data").at(0).as_object();
        BOOST_REQUIRE(item.contains("b64_json"));
        BOOST_TEST(item.at("b64_json").as_string().starts_with("iVBORw0KGgo")); // a PNG's signature
        BOOST_TEST(!item.contains("url"));
    }));
    BOOST_TEST(n == 3u);
    BOOST_TEST(ids == (std::set<std::string>{"req-0", "req-1", "req-2"}), boost::test_tools::per_element());
}

// The live API refuses to cancel a batch that has ended with a 409. The client reports it
// typed, and cancel_and_watch answers with the batch as it is.
BOOST_AUTO_TEST_CASE(cancelling_an_ended_batch_is_a_typed_409)
{
    emulator_fixture f;
    const batch done = completed_batch(f);
    client c(f.ctx, f.client_opts());

    diagnostics diag;
    auto [ec, b] = f.run(c.async_cancel(done.id, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::conflict, describe(ec, diag));
    BOOST_TEST(diag.http_status == 409u);
    BOOST_TEST(diag.type == "invalid_request_error");
    BOOST_TEST(diag.message == "Cannot cancel a batch with status 'completed'.");
    BOOST_TEST(diag.code.empty());
    BOOST_TEST(!diag.should_retry.has_value()); // like the live API, no x-should-retry
    BOOST_TEST((f.server->find_batch(done.id) == done)); // untouched

    const batch same = f.run(cancel_and_watch(c, done.id));
    BOOST_TEST(same.status == batch_status::completed);
    BOOST_TEST(same.id == done.id);
    BOOST_TEST((same.completed_at == done.completed_at));
}

// A 409 invalid_request_error answering a cancel is final: unlike the lock conflicts the
// SDKs retry, no retry is spent on it.
BOOST_AUTO_TEST_CASE(cancelling_an_ended_batch_is_not_retried)
{
    emulator_fixture f;
    const batch done = completed_batch(f);
    client c(f.ctx, f.client_opts());

    diagnostics diag;
    auto [ec, b] = f.run(c.async_cancel(done.id, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::conflict, describe(ec, diag));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 1u);

    // cancel_and_watch stays fast: one refused cancel, one retrieve, no backoff between.
    const batch same = f.run(cancel_and_watch(c, done.id));
    BOOST_TEST(same.status == batch_status::completed);
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 2u);
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") == 1u);
    BOOST_TEST(f.server->request_count() == 3u);
}

BOOST_AUTO_TEST_CASE(api_errors_are_typed_and_never_show_the_key)
{
    emulator_fixture f;
    auto opts = f.client_opts();
    opts.api_key = "sk-secret-do-not-print";
    client c(f.ctx, opts);
    diagnostics diag;
    auto [ec, b] = f.run(c.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::authentication_failed);
    BOOST_TEST(diag.http_status == 401u);
    BOOST_TEST(diag.code == "invalid_api_key");
    BOOST_TEST(!diag.request_id.empty());
    BOOST_TEST(diag.attempts == 1u); // 401 is not retried
    const auto text = describe(ec, diag);
    BOOST_TEST(text.find("sk-secret") == std::string::npos);
    BOOST_TEST(diag.message.find("sk-secret") == std::string::npos);
    BOOST_TEST(diag.body.find("sk-secret") == std::string::npos);

    client good(f.ctx, f.client_opts());
    try {
        f.run(good.retrieve("batch_missing"));
        BOOST_FAIL("expected an exception");
    } catch (const exception& e) {
        BOOST_TEST(e.code() == error::not_found);
        BOOST_TEST(e.get_diagnostics().type == "invalid_request_error");
        BOOST_TEST(std::string(e.what()).find("batch_missing") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(callbacks_and_futures_through_completion_tokens)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(2));
    auto created = f.server->put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"});
    client c(f.ctx, f.client_opts());

    diagnostics diag;
    boost::system::error_code got_ec = error::http_error;
    batch got;
    c.async_retrieve(created.id, diag, [&](boost::system::error_code ec, batch b) {
        got_ec = ec;
        got = std::move(b);
    });
    f.ctx.restart();
    f.ctx.run();
    BOOST_TEST(!got_ec);
    BOOST_TEST(got.id == created.id);

    // use_future with the io_context on another thread.
    auto work = asio::make_work_guard(f.ctx);
    f.ctx.restart();
    std::thread runner([&] { f.ctx.run(); });
    auto fut = c.async_cancel(created.id, diag, asio::use_future);
    batch cancelled = fut.get();
    BOOST_TEST((cancelled.status == batch_status::cancelling || cancelled.status == batch_status::cancelled));
    work.reset();
    runner.join();
}

// An application's io_context::run() returns once its work is done: connections idle in
// the pool (and their time limits) hold no pending operation.
BOOST_AUTO_TEST_CASE(run_returns_when_the_calls_are_done)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(2));
    auto created = f.server->put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"});
    asio::io_context ctx;
    client c(ctx, f.client_opts());
    diagnostics diag;
    int done = 0;
    for (int i = 0; i < 3; ++i)
        c.async_retrieve(created.id, diag, [&](boost::system::error_code ec, batch b) {
            BOOST_TEST(!ec, describe(ec, diag));
            BOOST_TEST(b.id == created.id);
            ++done;
        });
    ctx.run(); // returns only when nothing is pending: a hang here fails by the suite's timeout
    BOOST_TEST(done == 3);
    BOOST_TEST(c.stats().opened >= 1u);
    BOOST_TEST(c.stats().opened <= 3u);
}

// A call refused before anything is sent, and cancelled at once: it completes with its
// refusal, never inside its initiating function; no exception leaves run(), the handler is
// called once.
BOOST_AUTO_TEST_CASE(a_refused_call_cancelled_at_once_completes_with_its_refusal)
{
    emulator_fixture f;
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial}) {
        asio::cancellation_signal sig;
        int calls = 0;
        boost::system::error_code got;
        // Started from a handler: the operation's first steps run inline, inside its launch.
        asio::post(f.ctx, [&] {
            c.async_retrieve("", diag, asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code e, batch) {
                                 got = e;
                                 ++calls;
                             }));
            BOOST_TEST(calls == 0); // not inside its initiating function
            sig.emit(type);
        });
        f.ctx.restart();
        BOOST_CHECK_NO_THROW(f.ctx.run());
        BOOST_TEST(calls == 1);
        BOOST_TEST(got == error::invalid_argument);
    }
    BOOST_TEST(f.server->request_count() == 0u);
}

// An io_context created with concurrency hint 1 promises one thread: operations then run on
// its executor without a strand each. Everything still works: calls, a refusal that must not
// complete inside its initiating function, and cancellation.
BOOST_AUTO_TEST_CASE(a_client_on_a_one_thread_io_context)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(2));
    auto created = f.server->put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"});
    asio::io_context one(1);
    client c(one, f.client_opts());
    diagnostics diag;

    using batchwire::test::run_to_completion;
    auto [ec, got] = run_to_completion(one, c.async_retrieve(created.id, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec, describe(ec, diag));
    BOOST_TEST(got.id == created.id);

    bool done = false;
    c.async_retrieve("", diag, [&](boost::system::error_code e, batch) {
        BOOST_TEST(e == error::invalid_argument);
        done = true;
    });
    BOOST_TEST(!done); // never inside the initiating function
    one.restart();
    one.run();
    BOOST_TEST(done);

    asio::cancellation_signal cancel;
    boost::system::error_code cancelled_ec;
    c.async_cancel(created.id, diag, asio::bind_cancellation_slot(cancel.slot(), [&](boost::system::error_code e, batch) {
                       cancelled_ec = e;
                   }));
    cancel.emit(asio::cancellation_type::terminal); // before anything is sent
    one.restart();
    one.run();
    BOOST_TEST(cancelled_ec == error::cancelled);

    auto [ec2, cancelling] =
        run_to_completion(one, c.async_cancel(created.id, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec2, describe(ec2, diag));
    BOOST_TEST((cancelling.status == batch_status::cancelling || cancelling.status == batch_status::cancelled));
}

// The same overload set for every operation: the short async forms (no request_options)
// of the file operations, each against the emulator.
BOOST_AUTO_TEST_CASE(every_file_operation_has_the_short_async_form)
{
    emulator_fixture f;
    client c(f.ctx, f.client_opts());
    const auto input = batchwire::test::make_input_jsonl(5);
    const auto path = write_temp_file("short-forms.jsonl", input);
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    diagnostics diag;

    const file_upload_params up{.path = path};
    auto [uec, file] = f.run(c.async_upload_file(up, diag, tuple));
    BOOST_REQUIRE(!uec);
    auto [rec, again] = f.run(c.async_retrieve_file(file.id, diag, tuple));
    BOOST_TEST(!rec);
    BOOST_TEST(again.bytes == static_cast<std::int64_t>(input.size()));

    std::string got;
    chunk_sink sink = [&](std::string_view chunk, boost::system::error_code&) { got += chunk; };
    auto [dec, bytes] = f.run(c.async_download_file(file.id, sink, diag, tuple));
    BOOST_TEST(!dec);
    BOOST_TEST(bytes == input.size());
    BOOST_TEST(got == input);

    const auto out = path + ".copy";
    auto [tec, tbytes] = f.run(c.async_download_file_to(file.id, out, diag, tuple));
    BOOST_TEST(!tec);
    BOOST_TEST(tbytes == input.size());
    std::ifstream in(out, std::ios::binary);
    BOOST_TEST(std::string(std::istreambuf_iterator<char>(in), {}) == input);

    std::vector<std::string> ids;
    batch_line_handler on_line = [&](batch_output_line&& l, boost::system::error_code&) { ids.push_back(l.custom_id); };
    auto [lec, lines] = f.run(c.async_read_batch_lines(file.id, on_line, diag, tuple));
    BOOST_TEST(!lec);
    BOOST_TEST(lines == 5u);
    BOOST_TEST(ids.size() == 5u);
    std::filesystem::remove(path);
    std::filesystem::remove(out);
}

// A deferred operation holds the client's state, not the object: it may be launched after
// the client was moved elsewhere.
BOOST_AUTO_TEST_CASE(a_deferred_operation_survives_moving_its_client)
{
    emulator_fixture f;
    auto created = f.server->put_batch({.input_file_id = f.server->put_file("in.jsonl", "batch",
                                                                              batchwire::test::make_input_jsonl(2)).id,
                                        .endpoint = "/v1/chat/completions"});
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    auto op = c.async_retrieve(created.id, diag, asio::deferred);
    client moved(std::move(c));
    auto [ec, b] = f.run(std::move(op)(asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec);
    BOOST_TEST(b.id == created.id);
}

BOOST_AUTO_TEST_CASE(invalid_metadata_is_refused_before_anything_is_sent)
{
    emulator_fixture f;
    const auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    client c(f.ctx, f.client_opts());

    metadata_map too_many;
    for (int i = 0; i < 17; ++i)
        too_many.emplace("key" + std::to_string(i), "v");
    const metadata_map long_key{{std::string(65, 'k'), "v"}};
    const metadata_map long_value{{"k", std::string(513, 'v')}};
    for (const metadata_map* m : std::initializer_list<const metadata_map*>{&too_many, &long_key, &long_value}) {
        BOOST_TEST_CONTEXT("metadata of " << m->size() << " pairs, first key " << m->begin()->first.size()
                                          << " chars, its value " << m->begin()->second.size() << " chars")
        {
            const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions", .metadata = *m};
            diagnostics diag;
            auto [ec, b] = f.run(c.async_create(p, diag, asio::as_tuple(asio::use_awaitable)));
            BOOST_TEST(ec == error::invalid_argument, describe(ec, diag));
            BOOST_TEST(diag.message.find("metadata") != std::string::npos, diag.message);
            BOOST_TEST(diag.http_status == 0u);
            BOOST_TEST(b.id.empty());
            try {
                f.run(c.create(p));
                BOOST_FAIL("the throwing form accepted it");
            } catch (const exception& e) {
                BOOST_TEST(e.code() == error::invalid_argument);
            }
        }
    }
    BOOST_TEST(f.server->request_count("POST /v1/batches") == 0u);
    BOOST_TEST(f.server->request_count() == 0u);
    BOOST_TEST(c.stats().opened == 0u);

    // At the limits (16 pairs, a 64-character key, a 512-character value) it is sent.
    metadata_map at_limits;
    for (int i = 0; i < 15; ++i)
        at_limits.emplace("key" + std::to_string(i), "v");
    at_limits.emplace(std::string(64, 'k'), std::string(512, 'v'));
    const batch_create_params ok{.input_file_id = file.id, .endpoint = "/v1/chat/completions", .metadata = at_limits};
    const auto created = f.run(c.create(ok));
    BOOST_TEST(created.metadata.value().size() == 16u);
    BOOST_TEST(f.server->request_count("POST /v1/batches") == 1u);
}

BOOST_AUTO_TEST_CASE(log_events_never_hold_the_api_key)
{
    const std::string key = "sk-emulator-key-5ec12e7-0123456789abcdef";
    const std::string wrong_key = "sk-wrong-key-5ec12e7-fedcba9876543210";
    auto eo = batchwire::test::fast_emulator_options();
    eo.api_key = key;
    emulator_fixture f(eo);

    // Every field of every event, copied (the views die with the event).
    struct recorded {
        log_event_kind kind;
        unsigned status;
        std::vector<std::string> texts;
    };
    std::mutex m;
    std::vector<recorded> events;
    auto record = [&](const log_event& e) {
        std::lock_guard lock(m);
        events.push_back({e.kind, e.status,
                          {std::string(to_string(e.kind)), std::string(e.method), std::string(e.target),
                           std::string(e.request_id), std::string(e.reason), std::to_string(e.status),
                           std::to_string(e.attempt), std::to_string(e.delay.count()),
                           std::to_string(e.elapsed.count()), std::to_string(e.connection_id)}});
    };
    auto o = f.client_opts();
    o.api_key = key;
    o.logger = record;
    client c(f.ctx, o);
    auto wo = o;
    wo.api_key = wrong_key;
    client wrong(f.ctx, wo);

    const auto input = batchwire::test::make_input_jsonl(3);
    const auto path = write_temp_file("logged.jsonl", input);
    // One 503 on the create: retried (the server did nothing), then it succeeds.
    f.server->add_fault({.route = "POST /v1/batches", .count = 1, .kind = emulator::fault_kind::http_status,
                         .status = 503, .should_retry = true});
    f.run([&]() -> asio::awaitable<void> {
        // Named parameters, not temporaries in the co_await (g++ 12: see client.hpp).
        const file_upload_params up{.path = path};
        const auto file = co_await c.upload_file(up);
        co_await c.retrieve_file(file.id);
        const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions",
                                    .metadata = metadata_map{{"owner", "evals"}}};
        const auto b = co_await c.create(p);
        co_await c.retrieve(b.id);
        co_await c.list();
        co_await c.cancel(b.id);
        std::string content;
        const chunk_sink sink = [&](std::string_view chunk, boost::system::error_code&) { content.append(chunk); };
        co_await c.download_file(file.id, sink);
        BOOST_TEST(content == input);
    }());
    diagnostics diag;
    auto [ec, b] = f.run(wrong.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::authentication_failed);
    std::filesystem::remove(path);

    auto seen = [&](log_event_kind k, unsigned status = 0) {
        return std::any_of(events.begin(), events.end(),
                           [&](const recorded& r) { return r.kind == k && (status == 0 || r.status == status); });
    };
    // The run did produce what the check is about.
    BOOST_TEST(seen(log_event_kind::request_sent));
    BOOST_TEST(seen(log_event_kind::response_received, 200));
    BOOST_TEST(seen(log_event_kind::response_received, 401));
    BOOST_TEST(seen(log_event_kind::retry_scheduled, 503));
    BOOST_TEST(seen(log_event_kind::request_failed, 401));
    BOOST_TEST(seen(log_event_kind::connection_opened));
    BOOST_TEST(f.server->request_count("POST /v1/batches") == 2u);
    for (const auto& r : events)
        for (const auto& t : r.texts) {
            BOOST_TEST(t.find(key) == std::string::npos, to_string(r.kind) << ": " << t);
            BOOST_TEST(t.find(wrong_key) == std::string::npos, to_string(r.kind) << ": " << t);
            BOOST_TEST(t.find("5ec12e7") == std::string::npos, to_string(r.kind) << ": " << t); // not even a part
            BOOST_TEST(t.find("Bearer") == std::string::npos, to_string(r.kind) << ": " << t);
        }
}

BOOST_AUTO_TEST_SUITE_END()
