// collect_results and cancel_and_recover against the emulator: every terminal status,
// null and empty file ids, duplicates and unknown ids, lines cut across chunks, a download
// cut midway (no file left behind), cancellation, and the completion-token forms.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"
#include "../unit/results_printing.hpp"

#include <batchwire/recover.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using emulator::fault_kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
const std::string content_route = "GET /v1/files/{id}/content";

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct results_fixture : test::emulator_fixture {
    results_fixture() : results_fixture(test::fast_emulator_options()) {}
    explicit results_fixture(emulator::emulator_options o) : emulator_fixture(std::move(o)), c(ctx, client_opts())
    {
        scratch = std::filesystem::temp_directory_path() /
                  ("batchwire-results-test-" + std::to_string(::getpid()) + "-" + std::to_string(++instances()));
        std::filesystem::create_directories(scratch);
    }
    ~results_fixture()
    {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }
    static int& instances()
    {
        static int n = 0;
        return n;
    }

    // The input both locally and on the emulator; a batch of it, created.
    std::string start_batch(int requests)
    {
        input = test::make_input_jsonl(requests);
        std::ofstream(input_path(), std::ios::binary) << input;
        const std::string file_id = server->put_file("in.jsonl", "batch", input).id;
        const batch_create_params p{.input_file_id = file_id, .endpoint = "/v1/chat/completions"};
        return server->put_batch(p).id;
    }
    batch batch_now(const std::string& id) { return *server->find_batch(id); }
    std::string input_path() const { return (scratch / "input.jsonl").string(); }
    std::string path(const char* name) const { return (scratch / name).string(); }

    // Every option that writes, for the given batch.
    results_options all_files(bool resubmit_failed = false) const
    {
        results_options o;
        o.input_path = input_path();
        o.resubmit_path = path("resubmit.jsonl");
        o.resubmit_failed = resubmit_failed;
        o.outcomes_path = path("outcomes.jsonl");
        return o;
    }

    results_report collect(const batch& b, const results_options& o) { return run(collect_results(c, b, o)); }

    // The input lines whose custom_id is in `ids`, in input order, each with its newline.
    std::string input_lines_of(const std::function<bool(const std::string&)>& pick) const
    {
        std::string out;
        for (const auto& l : lines_of(input))
            if (pick(std::string(boost::json::parse(l).at("custom_id").as_string())))
                out += l + "\n";
        return out;
    }

    // The -o file, by custom_id.
    std::map<std::string, boost::json::object> outcomes() const
    {
        std::map<std::string, boost::json::object> m;
        for (const auto& l : lines_of(read_all(path("outcomes.jsonl")))) {
            auto o = boost::json::parse(l).as_object();
            m[std::string(o.at("custom_id").as_string())] = o;
        }
        return m;
    }

    bool left_nothing_behind() const
    {
        for (const char* name : {"resubmit.jsonl", "resubmit.jsonl.part", "outcomes.jsonl", "outcomes.jsonl.part"})
            if (std::filesystem::exists(scratch / name))
                return false;
        return true;
    }

    client c;
    std::filesystem::path scratch;
    std::string input;
};

asio::awaitable<void> until(std::function<bool()> pred)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!pred()) {
        t.expires_after(milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
    }
}

bool id_number_at_least(const std::string& id, int n) { return std::stoi(id.substr(4)) >= n; }

} // namespace

BOOST_AUTO_TEST_SUITE(results, *boost::unit_test::timeout(300))

BOOST_FIXTURE_TEST_CASE(completed_with_some_failures, results_fixture)
{
    server->fail_lines([](std::string_view id) { return id == "req-3" || id == "req-7"; });
    const auto id = start_batch(10);
    server->advance(seconds(60));
    const batch b = batch_now(id);
    BOOST_REQUIRE(b.status == batch_status::completed);

    std::vector<std::string> streamed;
    results_options o = all_files(true);
    o.on_result = [&](outcome, const batch_output_line& l) { streamed.push_back(l.custom_id); };
    const auto r = collect(b, o);
    BOOST_TEST(r.counts == (results_counts{8, 2, 0, 0}));
    BOOST_TEST(r.reconciled);
    BOOST_TEST(r.output_lines == 8u);
    BOOST_TEST(r.error_lines == 2u);
    BOOST_TEST(streamed.size() == 10u);
    BOOST_TEST(r.final_batch.id == id);
    // --resubmit-failed: the two failed requests' original lines.
    BOOST_TEST(r.resubmitted == 2u);
    BOOST_TEST(read_all(r.resubmit_path) ==
               input_lines_of([](const std::string& cid) { return cid == "req-3" || cid == "req-7"; }));
    const auto m = outcomes();
    BOOST_TEST(m.size() == 10u);
    BOOST_TEST(m.at("req-0").at("outcome") == "succeeded");
    BOOST_TEST(m.at("req-0").at("status_code") == 200);
    BOOST_TEST(m.at("req-0").at("body").at("object") == "chat.completion");
    BOOST_TEST(m.at("req-3").at("outcome") == "failed");
    BOOST_TEST(m.at("req-3").at("status_code") == 400);
    BOOST_TEST(!m.at("req-3").at("request_id").as_string().empty());
    BOOST_TEST(!std::filesystem::exists(r.resubmit_path + ".part"));

    // Without --resubmit-failed nothing is left to resubmit: the file exists and is empty.
    const auto r2 = collect(b, all_files(false));
    BOOST_TEST(r2.resubmitted == 0u);
    BOOST_TEST(read_all(r2.resubmit_path).empty());
}

BOOST_FIXTURE_TEST_CASE(completed_all_failed_has_no_output_file, results_fixture)
{
    server->fail_lines([](std::string_view) { return true; });
    const auto id = start_batch(6);
    server->advance(seconds(60));
    const batch b = batch_now(id);
    BOOST_REQUIRE(b.status == batch_status::completed);
    BOOST_TEST(!b.output_file_id.has_value());
    const auto r = collect(b, all_files(true));
    BOOST_TEST(r.counts == (results_counts{0, 6, 0, 0}));
    BOOST_TEST(r.output_lines == 0u);
    BOOST_TEST(read_all(r.resubmit_path) == input);
    BOOST_TEST(server->request_count(content_route) == 1u); // the error file only
}

BOOST_FIXTURE_TEST_CASE(failed_validation_has_no_files_everything_missing, results_fixture)
{
    input = test::make_input_jsonl(4);
    std::ofstream(input_path(), std::ios::binary) << input;
    const std::string bad_file = server->put_file("in.jsonl", "batch", "{\"method\":\"POST\"}\n").id;
    const batch_create_params p{.input_file_id = bad_file, .endpoint = "/v1/chat/completions"};
    const auto id = server->put_batch(p).id;
    server->advance(seconds(60));
    const batch b = batch_now(id);
    BOOST_REQUIRE(b.status == batch_status::failed);
    BOOST_TEST(b.errors.has_value());
    const auto r = collect(b, all_files());
    BOOST_TEST(r.counts == (results_counts{0, 0, 0, 4}));
    BOOST_TEST(r.resubmitted == 4u);
    BOOST_TEST(read_all(r.resubmit_path) == input);
    BOOST_TEST(outcomes().empty());
    BOOST_TEST(server->request_count(content_route) == 0u);
}

BOOST_AUTO_TEST_CASE(expired_with_partial_output)
{
    auto o = test::fast_emulator_options();
    o.completion_window = seconds(60);
    o.validating_duration = seconds(2);
    o.requests_per_second = 0.1; // 5 of 10 run in the 58 s left
    results_fixture f(o);
    const auto id = f.start_batch(10);
    f.server->advance(seconds(61));
    const batch b = f.batch_now(id);
    BOOST_REQUIRE(b.status == batch_status::expired);
    BOOST_TEST(b.output_file_id.has_value()); // paid for: not to be thrown away
    const auto r = f.collect(b, f.all_files());
    BOOST_TEST(r.counts == (results_counts{5, 0, 5, 0}));
    BOOST_TEST(f.outcomes().at("req-9").at("error").at("code") == "batch_expired");
    BOOST_TEST(read_all(r.resubmit_path) ==
               f.input_lines_of([](const std::string& cid) { return id_number_at_least(cid, 5); }));
}

BOOST_FIXTURE_TEST_CASE(cancel_and_recover_accounts_for_every_request, results_fixture)
{
    server->fail_lines([](std::string_view id) { return id == "req-1"; });
    const auto id = start_batch(50);
    server->advance(milliseconds(3000)); // 2 s validating, then 5 of 50 run (5 a second)
    BOOST_REQUIRE(batch_now(id).status == batch_status::in_progress);

    recover_options ro;
    ro.watch.initial_interval = milliseconds(2);
    ro.watch.max_interval = milliseconds(4);
    std::vector<batch_status> seen;
    ro.watch.on_transition = [&](const batch_transition& t) {
        if (!t.progress_only)
            seen.push_back(t.to);
    };
    ro.results = all_files();
    results_report r;
    bool done = false;
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        r = co_await cancel_and_recover(c, id, ro);
        done = true;
    }, asio::detached);
    // The clock moves only once the cancel has landed: 1 s of draining (5 more run), then
    // the cancelling window.
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return batch_now(id).status == batch_status::cancelling; });
        while (!done) {
            server->advance(seconds(30));
            asio::steady_timer t(ctx, milliseconds(1));
            co_await t.async_wait(asio::use_awaitable);
        }
    }, asio::detached);
    ctx.restart();
    ctx.run();
    BOOST_REQUIRE(done);
    BOOST_TEST(r.final_batch.status == batch_status::cancelled);
    BOOST_TEST(r.counts == (results_counts{9, 1, 40, 0}));
    BOOST_TEST(r.counts.total() == 50u);
    BOOST_TEST((seen.front() == batch_status::cancelling));
    BOOST_TEST((seen.back() == batch_status::cancelled));
    // Exactly the unrun requests, byte for byte.
    BOOST_TEST(r.resubmitted == 40u);
    BOOST_TEST(read_all(r.resubmit_path) ==
               input_lines_of([](const std::string& cid) { return id_number_at_least(cid, 10); }));
    BOOST_TEST(outcomes().at("req-49").at("error").at("code") == "batch_cancelled");
}

BOOST_FIXTURE_TEST_CASE(null_and_empty_file_ids_are_no_file, results_fixture)
{
    start_batch(3);
    batch b;
    b.id = "batch_made_up";
    b.status = batch_status::cancelled;
    b.status_text = "cancelled";
    for (const auto& [out, err] : std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>>{
             {std::nullopt, std::nullopt}, {"", ""}, {"", std::nullopt}, {std::nullopt, ""}}) {
        b.output_file_id = out;
        b.error_file_id = err;
        const auto r = collect(b, all_files());
        BOOST_TEST(r.counts == (results_counts{0, 0, 0, 3}));
        BOOST_TEST(read_all(r.resubmit_path) == input);
        // Without the input nothing is counted at all.
        const results_options none;
        BOOST_TEST(collect(b, none).counts == results_counts{});
    }
    BOOST_TEST(server->request_count(content_route) == 0u);
}

BOOST_FIXTURE_TEST_CASE(duplicates_and_unknown_ids_are_reported, results_fixture)
{
    start_batch(3);
    const std::string ok = R"({"id":"b1","custom_id":"req-0","response":{"status_code":200,"request_id":"q","body":{}},"error":null})";
    const std::string output = ok + "\n" + ok + "\n" +
                               R"({"id":"b2","custom_id":"stranger","response":{"status_code":200,"request_id":"q","body":{}},"error":null})" +
                               "\n";
    const std::string errors =
        R"({"id":"b3","custom_id":"req-0","response":null,"error":{"code":"batch_cancelled","message":"m"}})" "\n"
        R"({"id":"b4","custom_id":"req-1","response":null,"error":{"code":"batch_cancelled","message":"m"}})";
    batch b;
    b.id = "batch_handmade";
    b.status = batch_status::cancelled;
    b.status_text = "cancelled";
    b.output_file_id = server->put_file("out.jsonl", "batch_output", output).id;
    b.error_file_id = server->put_file("err.jsonl", "batch_output", errors).id;
    const auto r = collect(b, all_files());
    BOOST_TEST(r.counts == (results_counts{1, 0, 1, 1})); // req-0 ran (first line stands), req-1 not, req-2 missing
    BOOST_TEST(r.duplicate_results.count == 2u);
    BOOST_TEST(r.duplicate_results.listed == (std::vector<std::string>{"req-0", "req-0"}));
    BOOST_TEST(r.unknown_ids.count == 1u);
    BOOST_TEST(r.unknown_ids.listed == std::vector<std::string>{"stranger"});
    BOOST_TEST(r.output_lines == 3u);
    BOOST_TEST(r.error_lines == 2u);
    BOOST_TEST(outcomes().size() == 3u); // one per custom_id of the files
    BOOST_TEST(read_all(r.resubmit_path) ==
               input_lines_of([](const std::string& cid) { return cid == "req-1" || cid == "req-2"; }));
}

BOOST_FIXTURE_TEST_CASE(lines_cut_across_chunks, results_fixture)
{
    const auto id = start_batch(20);
    server->advance(seconds(60));
    const batch b = batch_now(id);
    emulator::fault_rule drip;
    drip.route = content_route;
    drip.kind = fault_kind::slow_drip;
    drip.drip_bytes = 37; // never a line boundary for long
    drip.drip_interval = milliseconds(0);
    drip.count = 0;
    server->add_fault(drip);
    const auto r = collect(b, all_files());
    BOOST_TEST(server->faults_applied() >= 1u);
    BOOST_TEST(r.counts == (results_counts{20, 0, 0, 0}));
    BOOST_TEST(outcomes().size() == 20u);
}

BOOST_FIXTURE_TEST_CASE(a_download_cut_midway_leaves_no_file, results_fixture)
{
    for (const auto kind : {fault_kind::truncate_body, fault_kind::reset_mid_response}) {
        BOOST_TEST_CONTEXT(kind)
        {
            server->clear_faults();
            const auto id = start_batch(40);
            server->advance(milliseconds(4000)); // some ran
            const batch_status cancelled_at_once = batch_status::cancelling;
            const request_options plain;
            const batch cancelling = run(c.cancel(id, plain));
            BOOST_REQUIRE(cancelling.status == cancelled_at_once);
            server->advance(seconds(700));
            const batch b = batch_now(id);
            BOOST_REQUIRE(b.status == batch_status::cancelled);
            BOOST_REQUIRE(b.output_file_id.has_value());
            emulator::fault_rule cut;
            cut.route = content_route;
            cut.kind = kind;
            cut.count = 0; // every attempt
            server->add_fault(cut);
            // An older resubmit file is replaced only on success.
            std::ofstream(path("resubmit.jsonl"), std::ios::binary) << "old";
            diagnostics diag;
            const results_options o = all_files();
            auto [ec, r] = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
                co_return co_await async_collect_results(c, b, o, diag, use_tuple);
            }());
            BOOST_TEST(ec == error::connection_lost);
            BOOST_TEST(r.final_batch.id == id);
            BOOST_TEST(read_all(path("resubmit.jsonl")) == "old");
            std::filesystem::remove(path("resubmit.jsonl"));
            BOOST_TEST(left_nothing_behind());
        }
    }
}

// A download stalled mid-body (half the output file sent, then nothing until the client
// goes): the lines that arrived are delivered at once, and cancelling the operation then
// ends it with error::cancelled and no file left behind.
BOOST_FIXTURE_TEST_CASE(cancelling_a_stalled_download_ends_it, results_fixture)
{
    const auto id = start_batch(200);
    server->advance(milliseconds(4000)); // some ran
    const request_options plain;
    BOOST_REQUIRE(run(c.cancel(id, plain)).status == batch_status::cancelling);
    server->advance(seconds(700));
    const batch b = batch_now(id);
    BOOST_REQUIRE(b.status == batch_status::cancelled);
    emulator::fault_rule stall;
    stall.route = content_route;
    stall.kind = fault_kind::stall_body; // stall_for unset: until the client closes
    stall.count = 0;
    server->add_fault(stall);

    asio::cancellation_signal cancel;
    std::size_t delivered = 0;
    results_options o = all_files();
    // The first line: cancel, from outside the operation (as an application would).
    o.on_result = [&](outcome, const batch_output_line&) {
        if (++delivered == 1)
            asio::post(ctx, [&] { cancel.emit(asio::cancellation_type::terminal); });
    };
    diagnostics diag;
    auto [ec, r] = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
        co_return co_await async_collect_results(c, b, o, diag,
                                                 asio::bind_cancellation_slot(cancel.slot(), use_tuple));
    }());
    BOOST_TEST(ec == error::cancelled);
    BOOST_TEST(delivered >= 1u);
    BOOST_TEST(r.final_batch.id == id);
    BOOST_TEST(left_nothing_behind());
}

BOOST_FIXTURE_TEST_CASE(a_bad_input_line_leaves_no_file, results_fixture)
{
    const auto id = start_batch(5);
    server->advance(seconds(60));
    std::ofstream(input_path(), std::ios::binary | std::ios::app) << "{\"no_id\":1}\n";
    diagnostics diag;
    const results_options o = all_files();
    const batch b = batch_now(id);
    auto [ec, r] = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
        co_return co_await async_collect_results(c, b, o, diag, use_tuple);
    }());
    BOOST_TEST(ec == error::invalid_argument);
    BOOST_TEST(diag.message.find("input line 6") != std::string::npos, diag.message);
    BOOST_TEST(left_nothing_behind());

    results_options missing_input = all_files();
    missing_input.input_path = path("nope.jsonl");
    std::tie(ec, r) = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
        co_return co_await async_collect_results(c, b, missing_input, diag, use_tuple);
    }());
    BOOST_TEST(ec == error::file_error);
    BOOST_TEST(left_nothing_behind());
}

BOOST_FIXTURE_TEST_CASE(a_batch_that_has_not_ended_is_refused, results_fixture)
{
    const auto id = start_batch(5);
    for (const auto status : {batch_status::validating, batch_status::in_progress}) {
        if (status == batch_status::in_progress)
            server->advance(milliseconds(2500));
        const batch b = batch_now(id);
        BOOST_REQUIRE(b.status == status);
        BOOST_CHECK_EXCEPTION(collect(b, all_files()), exception,
                              [](const exception& e) { return e.code() == error::invalid_argument; });
    }
    BOOST_TEST(server->request_count(content_route) == 0u);
    BOOST_TEST(left_nothing_behind());
    // A resubmit file without the input to take its lines from.
    server->advance(seconds(60));
    results_options no_input;
    no_input.resubmit_path = path("resubmit.jsonl");
    BOOST_CHECK_EXCEPTION(collect(batch_now(id), no_input), exception,
                          [](const exception& e) { return e.code() == error::invalid_argument; });
}

BOOST_FIXTURE_TEST_CASE(completion_token_forms, results_fixture)
{
    const auto id = start_batch(4);
    server->advance(seconds(60));
    const batch b = batch_now(id);
    const results_options o; // no input: per custom_id of the files

    // A plain callback, with the diagnostics.
    diagnostics diag;
    std::optional<results_report> got;
    async_collect_results(c, b, o, diag, [&](boost::system::error_code ec, results_report r) {
        BOOST_TEST(!ec);
        got = std::move(r);
    });
    ctx.restart();
    ctx.run();
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST(got->counts == (results_counts{4, 0, 0, 0}));
    BOOST_TEST(!got->reconciled);

    // The error-code form for the one-call operation on a batch that has ended: it is
    // returned as it is and its results collected.
    recover_options ro;
    ro.results.input_path = input_path();
    ro.watch.initial_interval = milliseconds(2);
    auto [ec, r] = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
        co_return co_await async_cancel_and_recover(c, id, ro, diag, use_tuple);
    }());
    BOOST_TEST(!ec);
    BOOST_TEST(r.final_batch.status == batch_status::completed);
    BOOST_TEST(r.counts == (results_counts{4, 0, 0, 0}));

    // An unknown batch: the cancel's 404, with its diagnostics.
    std::tie(ec, r) = run([&]() -> asio::awaitable<std::tuple<boost::system::error_code, results_report>> {
        co_return co_await async_cancel_and_recover(c, "batch_nope", ro, diag, use_tuple);
    }());
    BOOST_TEST(ec == error::not_found);
    BOOST_TEST(diag.http_status == 404u);
}

BOOST_AUTO_TEST_SUITE_END()
