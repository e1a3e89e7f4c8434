// watch_until_terminal and cancel_and_watch against the emulator, on a driven clock.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/watch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;
using emulator::fault_kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

asio::awaitable<void> until(std::function<bool()> pred)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!pred()) {
        t.expires_after(milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
    }
}

enum class watch_kind { watch, cancel_first };

struct watch_fixture : emulator_fixture {
    watch_fixture() : watch_fixture(batchwire::test::fast_emulator_options()) {}
    explicit watch_fixture(emulator::emulator_options o) : emulator_fixture(std::move(o)), c(ctx, client_opts())
    {
        file_id = server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(10)).id;
    }
    std::string new_batch()
    {
        return server->put_batch({.input_file_id = file_id, .endpoint = "/v1/chat/completions"}).id;
    }
    watch_options fast_polls()
    {
        watch_options o;
        o.initial_interval = milliseconds(2);
        o.max_interval = milliseconds(4);
        o.on_transition = [this](const batch_transition& t) { seen.push_back(t); };
        return o;
    }
    std::vector<batch_status> statuses() const
    {
        std::vector<batch_status> v;
        for (const auto& t : seen)
            if (!t.progress_only)
                v.push_back(t.to);
        return v;
    }
    bool saw(batch_status s) const
    {
        for (const auto& t : seen)
            if (t.to == s)
                return true;
        return false;
    }
    // Runs the watch of `id` while `drive` moves the emulator's clock; the final batch.
    batch watch_driven(watch_kind kind, const std::string& id, const watch_options& o,
                       const std::function<asio::awaitable<void>()>& drive)
    {
        batch final_batch;
        asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
            if (kind == watch_kind::cancel_first)
                final_batch = co_await cancel_and_watch(c, id, o);
            else
                final_batch = co_await watch_until_terminal(c, id, o);
        }, asio::detached);
        asio::co_spawn(ctx, drive, asio::detached);
        ctx.restart();
        ctx.run();
        return final_batch;
    }
    client c;
    std::string file_id;
    std::vector<batch_transition> seen;
};

// The throwing form ends with watch_deadline_error carrying the last snapshot.
void expect_deadline_error(watch_fixture& f, const std::string& id, const watch_options& o, batch_status last)
{
    try {
        f.run(watch_until_terminal(f.c, id, o));
        BOOST_FAIL("expected the watch deadline to pass");
    } catch (const watch_deadline_error& e) {
        BOOST_TEST(e.code() == error::watch_deadline_exceeded);
        BOOST_TEST(e.last_snapshot().id == id);
        BOOST_TEST((e.last_snapshot().status == last));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(watch, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(follows_a_batch_to_completed)
{
    watch_fixture f;
    const auto id = f.new_batch();
    const batch final_batch = f.watch_driven(watch_kind::watch, id, f.fast_polls(), [&]() -> asio::awaitable<void> {
        // 10 requests at 5 per emulated second: 2 s validating, then 2 s of running.
        co_await until([&] { return f.saw(batch_status::validating); });
        f.server->advance(milliseconds(2200));
        co_await until([&] { return f.saw(batch_status::in_progress); });
        f.server->advance(milliseconds(1000));
        co_await until([&] { return !f.seen.empty() && f.seen.back().progress_only; });
        f.server->advance(milliseconds(1000)); // all 10 done: finalizing, for 2 s

        co_await until([&] { return f.saw(batch_status::finalizing); });
        f.server->advance(seconds(3));
    });
    BOOST_TEST(final_batch.status == batch_status::completed);
    const std::vector<batch_status> expected{batch_status::validating, batch_status::in_progress,
                                             batch_status::finalizing, batch_status::completed};
    BOOST_TEST(f.statuses() == expected, boost::test_tools::per_element());
    BOOST_TEST(!f.seen.front().from.has_value());
    BOOST_TEST((f.seen.back().from == batch_status::finalizing));
    BOOST_TEST(final_batch.request_counts.value().completed == 10);
}

BOOST_AUTO_TEST_CASE(cancel_and_watch_reaches_cancelled_with_partial_results)
{
    watch_fixture f;
    const auto id = f.new_batch();
    f.server->advance(seconds(3)); // in_progress
    f.server->advance(seconds(1)); // some requests done
    const batch final_batch = f.watch_driven(watch_kind::cancel_first, id, f.fast_polls(), [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.saw(batch_status::cancelling); });
        f.server->advance(seconds(601));
    });
    BOOST_TEST(final_batch.status == batch_status::cancelled);
    BOOST_TEST(final_batch.cancelled_at.has_value());
    BOOST_TEST(final_batch.output_file_id.has_value());
    const std::vector<batch_status> expected{batch_status::cancelling, batch_status::cancelled};
    BOOST_TEST(f.statuses() == expected, boost::test_tools::per_element());
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 1u);

    // A batch that has ended is returned as is: the API refuses to cancel it.
    f.seen.clear();
    auto again = f.run(cancel_and_watch(f.c, id, f.fast_polls()));
    BOOST_TEST(again.status == batch_status::cancelled);
    // At once: the refusal (409, or 400 from older emulators) spends no retry.
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 2u);
}

BOOST_AUTO_TEST_CASE(fixed_deadline_ends_with_the_last_snapshot)
{
    watch_fixture f;
    const auto id = f.new_batch();
    auto o = f.fast_polls();
    o.timeout = milliseconds(30);
    expect_deadline_error(f, id, o, batch_status::validating);
}

BOOST_AUTO_TEST_CASE(derived_deadline_covers_the_cancelling_window)
{
    watch_fixture f;
    const auto id = f.new_batch();
    f.server->advance(seconds(3));
    f.run(f.c.cancel(id));
    // The emulator's clock stands still: the batch stays cancelling. Its window (20 server
    // seconds at 1000 server seconds per local second) plus the grace ends the watch.
    auto o = f.fast_polls();
    o.cancelling_window = seconds(20);
    o.server_time_scale = 1000;
    o.grace = milliseconds(20);
    diagnostics diag;
    auto [ec, last] = f.run(async_watch_until_terminal(f.c, id, o, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::watch_deadline_exceeded, describe(ec, diag));
    BOOST_TEST(last.status == batch_status::cancelling);
}

BOOST_AUTO_TEST_CASE(cancellation_mid_wait_leaves_nothing_behind)
{
    watch_fixture f;
    const auto id = f.new_batch();
    asio::cancellation_signal sig;
    diagnostics diag;
    boost::system::error_code got;
    auto o = f.fast_polls();
    o.initial_interval = o.max_interval = seconds(3600); // one poll, then a long wait
    async_watch_until_terminal(f.c, id, o, diag,
                               asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec, batch) {
                                   got = ec;
                               }));
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return !f.seen.empty(); });
        sig.emit(asio::cancellation_type::terminal);
    }, asio::detached);
    f.ctx.run(); // returns only when no timer or request is left
    BOOST_TEST(got == error::cancelled);
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") == 1u);
}

BOOST_AUTO_TEST_CASE(server_poll_hint_is_honoured_and_capped)
{
    watch_fixture f;
    f.server->set_poll_after_hint(milliseconds(3));
    const auto id = f.new_batch();
    auto o = f.fast_polls();
    o.initial_interval = o.max_interval = seconds(3600); // only the hint makes it poll again
    const batch final_batch = f.watch_driven(watch_kind::watch, id, o, [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.saw(batch_status::validating); });
        f.server->advance(seconds(3600));
    });
    BOOST_TEST(final_batch.is_terminal());

    // A hint above max_server_hint is capped.
    f.server->set_poll_after_hint(milliseconds(3'600'000));
    const auto id2 = f.new_batch();
    o.max_server_hint = milliseconds(3);
    const batch capped = f.watch_driven(watch_kind::watch, id2, o, [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.server->request_count("GET /v1/batches/{id}") >= 3; });
        f.server->advance(seconds(3600));
    });
    BOOST_TEST(capped.id == id2);
    BOOST_TEST(capped.is_terminal());
}

BOOST_AUTO_TEST_CASE(server_poll_hint_of_zero_waits_the_floor)
{
    // openai-poll-after-ms: 0 must not make the watch poll in a tight loop: the hint is
    // raised to min_server_hint, so the timers allow at most one poll per floor.
    watch_fixture f;
    f.server->set_poll_after_hint(milliseconds(0));
    const auto id = f.new_batch(); // the emulator's clock stands still: it stays validating
    auto o = f.fast_polls();
    o.initial_interval = o.max_interval = seconds(3600); // only the hint makes it poll again
    o.min_server_hint = milliseconds(50);
    o.timeout = milliseconds(400);
    expect_deadline_error(f, id, o, batch_status::validating);
    const auto gets = f.server->request_count("GET /v1/batches/{id}");
    BOOST_TEST(gets >= 2u);       // the hint is honoured (without it: one poll an hour)
    BOOST_TEST(gets <= 400u / 50u + 1u); // and floored (at 1 ms it was hundreds)
}

BOOST_AUTO_TEST_CASE(transient_errors_are_retried_permanent_ones_end_the_watch)
{
    watch_fixture f;
    const auto id = f.new_batch();
    auto o = f.fast_polls();
    o.poll_request.max_retries = 0;
    int poll_errors = 0;
    o.on_poll_error = [&](const boost::system::error_code& ec, const diagnostics&) {
        BOOST_TEST((ec == error::server_error || ec == error::rate_limited || ec == error::connection_lost));
        ++poll_errors;
    };
    f.server->add_fault({.route = "GET /v1/batches/{id}", .skip = 1, .count = 2, .kind = fault_kind::http_status,
                         .status = 503});
    f.server->add_fault({.route = "GET /v1/batches/{id}", .count = 1, .kind = fault_kind::rate_limited});
    f.server->add_fault({.route = "GET /v1/batches/{id}", .count = 1, .kind = fault_kind::reset_mid_response});
    const batch final_batch = f.watch_driven(watch_kind::watch, id, o, [&]() -> asio::awaitable<void> {
        co_await until([&] { return poll_errors >= 4; });
        f.server->advance(seconds(3600));
    });
    BOOST_TEST(poll_errors == 4);
    BOOST_TEST(final_batch.is_terminal());

    diagnostics diag;
    auto [ec, b] = f.run(async_watch_until_terminal(f.c, "batch_unknown", f.fast_polls(), diag,
                                                    asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::not_found);
    BOOST_TEST(diag.http_status == 404u);
}

BOOST_AUTO_TEST_CASE(watchers_of_one_batch_share_one_poll)
{
    watch_fixture f;
    const auto id = f.new_batch();
    constexpr int k = 10;
    std::vector<asio::cancellation_signal> sigs(k);
    std::vector<int> firsts(k, 0);
    int done = 0;
    for (int i = 0; i < k; ++i) {
        auto o = f.fast_polls();
        o.initial_interval = o.max_interval = seconds(3600);
        o.on_transition = [&, i](const batch_transition& t) { firsts[i] += !t.from.has_value(); };
        static diagnostics diag[k];
        async_watch_until_terminal(f.c, id, o, diag[i],
                                   asio::bind_cancellation_slot(sigs[i].slot(),
                                                                [&](boost::system::error_code ec, batch) {
                                                                    BOOST_TEST(ec == error::cancelled);
                                                                    ++done;
                                                                }));
    }
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return std::count(firsts.begin(), firsts.end(), 1) == k; });
        for (auto& s : sigs)
            s.emit(asio::cancellation_type::terminal);
    }, asio::detached);
    f.ctx.run();
    BOOST_TEST(done == k);
    // K watchers, one request: every watcher got the first snapshot from the shared poll.
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") == 1u);
}

BOOST_AUTO_TEST_CASE(a_watcher_joining_as_the_last_one_leaves_gets_a_poll_of_its_own)
{
    watch_fixture f;
    const auto id = f.new_batch();
    asio::cancellation_signal sig;
    diagnostics diag_a, diag_b;
    boost::system::error_code got_a;
    auto slow = f.fast_polls();
    slow.initial_interval = slow.max_interval = seconds(3600);
    async_watch_until_terminal(f.c, id, slow, diag_a,
                               asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec, batch) {
                                   got_a = ec;
                               }));
    std::optional<batch> got_b;
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return !f.seen.empty(); });
        // The only watcher leaves and, in the same breath, a new one arrives: it must not
        // join the poll loop that is winding down.
        sig.emit(asio::cancellation_type::terminal);
        auto [ec, b] = co_await async_watch_until_terminal(f.c, id, f.fast_polls(), diag_b,
                                                           asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, describe(ec, diag_b));
        got_b = std::move(b);
    }, asio::detached);
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.server->request_count("GET /v1/batches/{id}") >= 2; });
        f.server->advance(seconds(3600));
    }, asio::detached);
    f.ctx.run();
    BOOST_TEST(got_a == error::cancelled);
    BOOST_REQUIRE(got_b.has_value());
    BOOST_TEST(got_b->is_terminal());
}

BOOST_AUTO_TEST_CASE(a_watcher_with_an_earlier_deadline_wakes_the_shared_poll)
{
    watch_fixture f;
    const auto id = f.new_batch();
    auto slow = f.fast_polls();
    slow.initial_interval = slow.max_interval = seconds(3600); // the loop sleeps for an hour
    asio::cancellation_signal sig;
    diagnostics diag_a, diag_b;
    boost::system::error_code got_a, got_b;
    batch last_b;
    async_watch_until_terminal(f.c, id, slow, diag_a,
                               asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec, batch) {
                                   got_a = ec;
                               }));
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return !f.seen.empty(); }); // the loop is asleep now
        auto hurried = slow;
        hurried.timeout = milliseconds(20);
        std::tie(got_b, last_b) = co_await async_watch_until_terminal(f.c, id, hurried, diag_b,
                                                                      asio::as_tuple(asio::use_awaitable));
        sig.emit(asio::cancellation_type::terminal);
    }, asio::detached);
    f.ctx.run();
    BOOST_TEST(got_b == error::watch_deadline_exceeded);
    BOOST_TEST(last_b.id == id); // the shared loop's last snapshot
    BOOST_TEST(got_a == error::cancelled);
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") == 1u);
}

BOOST_AUTO_TEST_CASE(ten_thousand_watchers_on_one_thread)
{
    watch_fixture f;
    constexpr int n = 10000;
    std::vector<std::string> ids;
    ids.reserve(n);
    for (int i = 0; i < n; ++i)
        ids.push_back(f.new_batch());
    int seen_first = 0, completed = 0, other = 0;
    watch_options o;
    o.initial_interval = milliseconds(50);
    o.max_interval = milliseconds(200);
    o.on_transition = [&](const batch_transition& t) { seen_first += !t.from.has_value(); };
    for (const auto& id : ids)
        asio::co_spawn(f.ctx, [&, id]() -> asio::awaitable<void> {
            auto b = co_await watch_until_terminal(f.c, id, o);
            (b.status == batch_status::completed ? completed : other) += 1;
        }, asio::detached);
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return seen_first == n; });
        f.server->advance(seconds(3600)); // every batch runs to completion
    }, asio::detached);
    f.ctx.run();
    BOOST_TEST(completed == n);
    BOOST_TEST(other == 0);
}

BOOST_AUTO_TEST_CASE(follows_a_batch_whose_input_is_invalid_to_failed)
{
    watch_fixture f;
    // A line that is not JSON: validation fails when validating_duration (2 s) has passed.
    const auto bad = f.server->put_file("bad.jsonl", "batch", "this is not json\n").id;
    const auto id = f.server->put_batch({.input_file_id = bad, .endpoint = "/v1/chat/completions"}).id;
    const batch final_batch = f.watch_driven(watch_kind::watch, id, f.fast_polls(), [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.saw(batch_status::validating); });
        f.server->advance(milliseconds(2200));
    });
    BOOST_TEST(final_batch.status == batch_status::failed);
    const std::vector<batch_status> expected{batch_status::validating, batch_status::failed};
    BOOST_TEST(f.statuses() == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(f.seen.size() == 2u); // no progress report in between
    BOOST_TEST(!f.seen.front().from.has_value());
    BOOST_TEST((f.seen.back().from == batch_status::validating));
    BOOST_TEST(f.seen.back().snapshot.status == batch_status::failed);
    BOOST_TEST(final_batch.failed_at.value() == 1'700'000'002);
    BOOST_TEST(!final_batch.in_progress_at.has_value());
    BOOST_REQUIRE(final_batch.errors.has_value());
    BOOST_REQUIRE(!final_batch.errors->empty());
    BOOST_TEST(final_batch.errors->front().code == "invalid_json_line");
    BOOST_TEST(final_batch.errors->front().line.value() == 1);
}

BOOST_AUTO_TEST_CASE(follows_a_batch_that_runs_out_of_time_to_expired)
{
    auto eo = batchwire::test::fast_emulator_options();
    eo.completion_window = seconds(10);
    eo.requests_per_second = 0.25; // the 10 requests would need 40 s: requests run at +6 and +10
    watch_fixture f(eo);
    const auto id = f.new_batch();
    const batch final_batch = f.watch_driven(watch_kind::watch, id, f.fast_polls(), [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.saw(batch_status::validating); });
        f.server->advance(seconds(3)); // +3: in_progress, nothing run yet
        co_await until([&] { return f.saw(batch_status::in_progress); });
        f.server->advance(seconds(4)); // +7: one request has run
        co_await until([&] { return !f.seen.empty() && f.seen.back().progress_only; });
        f.server->advance(seconds(4)); // +11: the window closed at +10
    });
    BOOST_TEST(final_batch.status == batch_status::expired);
    const std::vector<batch_status> expected{batch_status::validating, batch_status::in_progress,
                                             batch_status::expired};
    BOOST_TEST(f.statuses() == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(f.seen.size() == 4u); // the three statuses and one progress report
    BOOST_TEST(f.seen[2].progress_only);
    BOOST_TEST(f.seen[2].snapshot.request_counts.value().completed == 1);
    BOOST_TEST((f.seen.back().from == batch_status::in_progress));
    BOOST_TEST(final_batch.expired_at.value() == 1'700'000'010);
    BOOST_TEST(final_batch.expires_at.value() == 1'700'000'010);
    BOOST_TEST(final_batch.request_counts.value().total == 10);
    BOOST_TEST(final_batch.request_counts.value().completed == 2);
    BOOST_TEST(final_batch.error_file_id.has_value()); // the 8 requests that never ran
    BOOST_TEST(final_batch.output_file_id.has_value());
}

BOOST_AUTO_TEST_CASE(derived_deadline_follows_expires_at)
{
    // A 48-hour window: the deadline derived from expires_at (172800 server seconds) is
    // twice what a batch without expires_at would get (24 h from the server's now).
    auto eo = batchwire::test::fast_emulator_options();
    eo.completion_window = std::chrono::hours(48);
    watch_fixture f(eo);
    const auto id = f.new_batch();
    // The emulator's clock stands still: the batch stays validating. 172800 server seconds
    // at 1728000 server seconds per local second are 100 ms, plus 10 ms of grace.
    auto o = f.fast_polls();
    o.server_time_scale = 1'728'000;
    o.grace = milliseconds(10);
    diagnostics diag;
    const auto started = std::chrono::steady_clock::now();
    auto [ec, last] = f.run(async_watch_until_terminal(f.c, id, o, diag, asio::as_tuple(asio::use_awaitable)));
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(ec == error::watch_deadline_exceeded, describe(ec, diag));
    BOOST_TEST(last.id == id);
    BOOST_TEST(last.status == batch_status::validating);
    BOOST_TEST(last.expires_at.value() == 1'700'000'000 + 48 * 3600);
    BOOST_TEST(diag.message.find("validating") != std::string::npos, diag.message);
    // Not before the derived deadline (a 24-hour fallback would have ended at 60 ms).
    BOOST_TEST(std::chrono::duration_cast<milliseconds>(took).count() >= 110);
    const std::vector<batch_status> expected{batch_status::validating};
    BOOST_TEST(f.statuses() == expected, boost::test_tools::per_element());
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") >= 1u);

    // The throwing form carries the same last snapshot.
    expect_deadline_error(f, id, o, batch_status::validating);
}

BOOST_AUTO_TEST_CASE(watchers_of_one_batch_share_every_poll_across_clock_advances)
{
    // Every poll is made observable: while "blocked" every GET of the batch answers 503
    // (each watcher's on_poll_error), and the driver "releases" exactly one successful poll
    // after each clock advance (each watcher's on_transition, which blocks again at once, on
    // the poll loop, before the next poll). So a watcher in the loop from its first poll
    // counts every poll the loop made, and the emulator must have seen that many GETs.
    watch_fixture f;
    const auto id = f.new_batch();
    constexpr int k = 8;
    const emulator::fault_rule blocked{.route = "GET /v1/batches/{id}", .count = 0,
                                       .kind = fault_kind::http_status, .status = 503};
    bool released = true; // the first poll may succeed
    std::vector<int> events(k, 0), errors(k, 0), progress(k, 0);
    std::vector<std::vector<batch_status>> statuses(k);
    std::vector<batch_status> finals(k, batch_status::unknown);
    for (int i = 0; i < k; ++i) {
        auto o = f.fast_polls();
        o.poll_request.max_retries = 0; // one request per poll
        o.on_transition = [&, i](const batch_transition& t) {
            ++events[i];
            if (t.progress_only)
                ++progress[i];
            else
                statuses[i].push_back(t.to);
            if (released) {
                released = false;
                f.server->add_fault(blocked);
            }
        };
        o.on_poll_error = [&, i](const boost::system::error_code& ec, const diagnostics&) {
            BOOST_TEST(ec == error::server_error);
            ++events[i];
            ++errors[i];
        };
        asio::co_spawn(f.ctx, [&, i, o]() -> asio::awaitable<void> {
            finals[i] = (co_await watch_until_terminal(f.c, id, o)).status;
        }, asio::detached);
    }
    auto all_saw = [&](batch_status s) {
        return std::all_of(statuses.begin(), statuses.end(),
                           [&](const auto& v) { return std::find(v.begin(), v.end(), s) != v.end(); });
    };
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        auto release_after = [&](milliseconds step) -> asio::awaitable<void> {
            const int before = *std::max_element(errors.begin(), errors.end());
            co_await until([&] { return *std::max_element(errors.begin(), errors.end()) >= before + 2; });
            f.server->advance(step);
            released = true;
            f.server->clear_faults();
        };
        co_await until([&] { return all_saw(batch_status::validating); }); // every watcher has joined
        co_await release_after(milliseconds(2200));                           // in_progress
        co_await until([&] { return all_saw(batch_status::in_progress); });
        co_await release_after(milliseconds(1000)); // 5 of 10 requests ran
        co_await until([&] { return std::count(progress.begin(), progress.end(), 1) == k; });
        co_await release_after(milliseconds(1000)); // all ran: finalizing
        co_await until([&] { return all_saw(batch_status::finalizing); });
        co_await release_after(seconds(3)); // completed
    }, asio::detached);
    f.ctx.run();

    const std::vector<batch_status> expected{batch_status::validating, batch_status::in_progress,
                                             batch_status::finalizing, batch_status::completed};
    for (int i = 0; i < k; ++i) {
        BOOST_TEST(finals[i] == batch_status::completed);
        BOOST_TEST(statuses[i] == expected, boost::test_tools::per_element());
        BOOST_TEST(progress[i] == 1);
    }
    const auto gets = f.server->request_count("GET /v1/batches/{id}");
    const int polls = *std::max_element(events.begin(), events.end());
    BOOST_TEST(polls >= 5 + 4 * 2); // five successful polls, at least two failed ones before each release
    BOOST_TEST(gets == static_cast<std::size_t>(polls)); // one loop's polls, not k loops'
    for (int i = 0; i < k; ++i)
        BOOST_TEST(events[i] <= polls); // a watcher joining after the first poll saw fewer
}

BOOST_AUTO_TEST_CASE(a_polling_watcher_joining_a_loop_woken_by_events_brings_its_poll_forward)
{
    // The first watcher waits for events, with an hour's fallback; a second one that polls
    // every few milliseconds joins the sleeping loop: the loop polls at the shorter interval
    // from then on, and both watches end without any event.
    watch_fixture f;
    const auto id = f.new_batch();
    auto woken = f.fast_polls();
    woken.woken_by_events = true;
    woken.fallback_interval = std::chrono::hours(1);
    woken.initial_interval = woken.max_interval = std::chrono::hours(1);
    std::optional<batch> first, second;
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> { first = co_await watch_until_terminal(f.c, id, woken); },
                   asio::detached);
    asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
        co_await until([&] { return f.saw(batch_status::validating); }); // the loop sleeps for an hour
        asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
            watch_options polling;
            polling.initial_interval = milliseconds(2);
            polling.max_interval = milliseconds(4);
            second = co_await watch_until_terminal(f.c, id, polling);
        }, asio::detached);
        co_await until([&] { return f.server->request_count("GET /v1/batches/{id}") >= 2; });
        f.server->advance(seconds(3600));
    }, asio::detached);
    f.ctx.run();
    BOOST_REQUIRE(first.has_value());
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST(first->status == batch_status::completed);
    BOOST_TEST(second->status == batch_status::completed);
}

BOOST_AUTO_TEST_SUITE_END()
