// Watches woken by verified webhook events, against the emulator on a driven clock: one
// confirming retrieve per event, coalescing, the fallback poll when an event is lost,
// early and duplicated events, unwatched and unknown events, a real listener on loopback,
// and wake-ups from another thread while several threads run the client.

#include "emulator_fixture.hpp"
#include "webhook_delivery.hpp"
#include "../test_printing.hpp"

#include <batchwire/watch.hpp>
#include <batchwire/watch_wakeup.hpp>
#include <batchwire/webhook_listener.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr auto get_route = "GET /v1/batches/{id}";

asio::awaitable<void> until(std::function<bool()> pred)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!pred()) {
        t.expires_after(milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
    }
}

webhook_event event_for(const std::string& batch_id, webhook_event_type type = webhook_event_type::batch_completed)
{
    webhook_event e;
    e.id = "evt_" + batch_id;
    e.type = type;
    e.type_name = std::string(to_string(type));
    e.batch_id = batch_id;
    return e;
}

webhook_event unknown_event(const std::string& type_name, const std::string& data_id = {})
{
    webhook_event e;
    e.id = "evt_other";
    e.type_name = type_name;
    e.batch_id = data_id;
    return e;
}

// Woken by events; the regular polls would take an hour, so only an event or the fallback
// can move a watch on.
watch_options woken_options(milliseconds fallback)
{
    watch_options o;
    o.woken_by_events = true;
    o.fallback_interval = fallback;
    o.initial_interval = o.max_interval = std::chrono::hours(1);
    return o;
}

// One watch's reports and result. Touched on the client's threads; read after they ran.
struct watch_record {
    std::vector<batch_status> statuses; // transitions, progress reports left out
    std::atomic<bool> first_seen{false};
    std::atomic<bool> done{false};
    error_code ec;
    batch final_batch;
    diagnostics diag;

    bool saw(batch_status s) const { return std::find(statuses.begin(), statuses.end(), s) != statuses.end(); }
};

void start_watch(client& c, const std::string& id, watch_options o, watch_record& r,
                 std::function<void()> on_done = {}, std::function<void()> on_first = {})
{
    o.on_transition = [&r, on_first = std::move(on_first)](const batch_transition& t) {
        if (!t.progress_only)
            r.statuses.push_back(t.to);
        if (!r.first_seen.exchange(true) && on_first)
            on_first();
    };
    async_watch_until_terminal(c, id, std::move(o), r.diag, [&r, on_done = std::move(on_done)](error_code ec, batch b) {
        r.ec = ec;
        r.final_batch = std::move(b);
        r.done = true;
        if (on_done)
            on_done();
    });
}

struct wake_fixture : emulator_fixture {
    wake_fixture() : c(ctx, client_opts())
    {
        file_id = server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(10)).id;
    }
    std::string new_batch()
    {
        return server->put_batch({.input_file_id = file_id, .endpoint = "/v1/chat/completions"}).id;
    }
    std::size_t gets() const { return server->request_count(get_route); }
    // Runs the client's context with `drive` until every watch has ended.
    void run_with(std::function<asio::awaitable<void>()> drive)
    {
        asio::co_spawn(ctx, std::move(drive), asio::detached);
        ctx.restart();
        ctx.run();
    }

    client c;
    std::string file_id;
};

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_watch, *boost::unit_test::timeout(180))

BOOST_AUTO_TEST_CASE(ten_thousand_watches_end_with_one_confirming_retrieve_each)
{
    wake_fixture f;
    constexpr int n = 10000;
    std::vector<std::string> ids;
    ids.reserve(n);
    for (int i = 0; i < n; ++i)
        ids.push_back(f.new_batch());
    std::vector<watch_record> records(n);
    const auto o = woken_options(std::chrono::minutes(5));
    for (int i = 0; i < n; ++i)
        start_watch(f.c, ids[i], o, records[i]);
    auto all_first = [&] {
        return std::all_of(records.begin(), records.end(), [](const auto& r) { return r.first_seen.load(); });
    };
    f.run_with([&]() -> asio::awaitable<void> {
        co_await until(all_first);
        BOOST_TEST(f.gets() == static_cast<std::size_t>(n)); // the initial retrieves
        f.server->advance(seconds(3600)); // every batch runs to completion on the server
        int not_woken = 0;
        for (const auto& id : ids) // and its event arrives
            not_woken += wake_watches(f.c, event_for(id)) != wakeup_outcome::woken;
        BOOST_TEST(not_woken == 0);
    });
    int completed = 0;
    for (const auto& r : records) {
        completed += r.done && !r.ec && r.final_batch.status == batch_status::completed;
        const std::vector<batch_status> expected{batch_status::validating, batch_status::completed};
        if (r.statuses != expected)
            BOOST_TEST(r.statuses == expected, boost::test_tools::per_element());
    }
    BOOST_TEST(completed == n);
    // One initial and one confirming retrieve per batch: no fallback poll, no extra poll.
    BOOST_TEST(f.gets() >= 2u * n);
    BOOST_TEST(f.gets() * 10 <= 21u * n);
    const auto stats = wakeup_statistics(f.c);
    BOOST_TEST(stats.events == static_cast<std::uint64_t>(n));
    BOOST_TEST(stats.woken == static_cast<std::uint64_t>(n));
    BOOST_TEST(stats.unwatched == 0u);
    BOOST_TEST(stats.ignored == 0u);
}

BOOST_AUTO_TEST_CASE(a_watch_whose_event_is_lost_ends_through_the_fallback_poll)
{
    wake_fixture f;
    const std::vector<std::string> ids{f.new_batch(), f.new_batch(), f.new_batch()};
    std::vector<watch_record> records(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        start_watch(f.c, ids[i], woken_options(milliseconds(30)), records[i]);
    f.run_with([&]() -> asio::awaitable<void> {
        co_await until([&] { return std::all_of(records.begin(), records.end(), [](auto& r) { return r.first_seen.load(); }); });
        f.server->advance(seconds(3600));
        // The second batch's event is lost.
        wake_watches(f.c, event_for(ids[0]));
        wake_watches(f.c, event_for(ids[2]));
    });
    for (const auto& r : records) {
        BOOST_TEST(!r.ec, describe(r.ec, r.diag));
        BOOST_TEST(r.final_batch.status == batch_status::completed);
    }
    BOOST_TEST(records[1].statuses.back() == batch_status::completed);
    BOOST_TEST(wakeup_statistics(f.c).woken == 2u);
}

BOOST_AUTO_TEST_CASE(early_duplicated_and_out_of_order_events_give_one_transition_per_status)
{
    wake_fixture f;
    const auto id = f.new_batch();
    watch_record r;
    start_watch(f.c, id, woken_options(std::chrono::hours(1)), r);
    f.run_with([&]() -> asio::awaitable<void> {
        co_await until([&] { return r.first_seen.load(); });
        BOOST_TEST(f.gets() == 1u);
        // batch.completed (twice) while the batch is still validating: the confirming
        // retrieve shows validating, and the watch goes on.
        wake_watches(f.c, event_for(id));
        wake_watches(f.c, event_for(id));
        co_await until([&] { return f.gets() >= 2; });
        BOOST_TEST(!r.done);
        f.server->advance(milliseconds(2200)); // in_progress
        // An event of the wrong type: the retrieved batch, not the event, says what it is.
        wake_watches(f.c, event_for(id, webhook_event_type::batch_failed));
        co_await until([&] { return r.saw(batch_status::in_progress); });
        BOOST_TEST(!r.done);
        f.server->advance(seconds(10)); // all requests ran, finalized: completed
        for (int i = 0; i < 10; ++i)     // a burst of duplicates costs one retrieve
            wake_watches(f.c, event_for(id));
        co_await until([&] { return r.done.load(); });
        // Once the watch has ended, the batch has no watcher.
        BOOST_TEST((wake_watches(f.c, event_for(id)) == wakeup_outcome::unwatched));
    });
    BOOST_TEST(!r.ec, describe(r.ec, r.diag));
    BOOST_TEST(r.final_batch.status == batch_status::completed);
    const std::vector<batch_status> expected{batch_status::validating, batch_status::in_progress,
                                             batch_status::completed};
    BOOST_TEST(r.statuses == expected, boost::test_tools::per_element());
    // The first retrieve; one for the first pair (the loop was asleep); one or two for the
    // batch.failed event (it may meet that poll in flight); at most two for the burst.
    BOOST_TEST(f.gets() >= 3u);
    BOOST_TEST(f.gets() <= 6u);
    // The burst may find the watch ended already (by the poll the batch.failed event's
    // poll met in flight): then it is unwatched.
    const auto stats = wakeup_statistics(f.c);
    BOOST_TEST(stats.events == 14u);
    BOOST_TEST(stats.woken >= 3u);
    BOOST_TEST(stats.unwatched >= 1u);
    BOOST_TEST(stats.woken + stats.unwatched == 14u);
}

BOOST_AUTO_TEST_CASE(unwatched_and_unknown_events_are_counted_and_passed_on)
{
    wake_fixture f;
    const auto id = f.new_batch();
    std::vector<webhook_event> passed;
    const watch_waker waker(f.c, [&](const webhook_event& e) { passed.push_back(e); });
    watch_record r;
    start_watch(f.c, id, woken_options(std::chrono::hours(1)), r);
    f.run_with([&]() -> asio::awaitable<void> {
        co_await until([&] { return r.first_seen.load(); });
        f.server->advance(seconds(3600));
        waker(event_for("batch_nobody_watches", webhook_event_type::batch_expired)); // unwatched
        waker(unknown_event("fine_tuning.job.succeeded", "ftjob_1"));                // ignored
        waker(unknown_event("batch.paused", id));      // an unknown type for a watched batch: ignored
        webhook_event no_id = event_for(id);
        no_id.batch_id.clear();
        waker(no_id);                                  // a batch type without an id: ignored
        waker(event_for(id));                          // woken: not passed on
    });
    BOOST_TEST(r.final_batch.status == batch_status::completed);
    BOOST_REQUIRE(passed.size() == 4u);
    BOOST_TEST(passed[0].batch_id == "batch_nobody_watches");
    BOOST_TEST(passed[1].type_name == "fine_tuning.job.succeeded");
    BOOST_TEST(passed[2].type_name == "batch.paused");
    BOOST_TEST(passed[3].batch_id.empty());
    const auto stats = wakeup_statistics(f.c);
    BOOST_TEST(stats.events == 5u);
    BOOST_TEST(stats.woken == 1u);
    BOOST_TEST(stats.unwatched == 1u);
    BOOST_TEST(stats.ignored == 3u);
    BOOST_TEST(f.gets() == 2u);

    // Without a callback: counted all the same.
    const watch_waker silent(f.c);
    silent(unknown_event("fine_tuning.job.failed"));
    BOOST_TEST(wakeup_statistics(f.c).ignored == 4u);
}

BOOST_AUTO_TEST_CASE(a_signed_delivery_through_a_listener_ends_the_watch)
{
    wake_fixture f;
    const auto id = f.new_batch();
    webhook_listener_options lo;
    lo.endpoint = {asio::ip::address_v4::loopback(), 0};
    lo.receiver.secrets = {batchwire::test::webhook_test_secret};
    std::vector<webhook_event> unwatched;
    webhook_listener listener(f.ctx.get_executor(), lo,
                              watch_waker(f.c, [&](const webhook_event& e) { unwatched.push_back(e); }));
    std::optional<error_code> listener_result;
    listener.async_run([&](error_code ec) { listener_result = ec; });
    watch_record r;
    // The watch's end stops the listener: then nothing is left to run.
    start_watch(f.c, id, woken_options(std::chrono::hours(1)), r, [&] { listener.stop(); });
    std::optional<batchwire::test::reply> answer;
    f.run_with([&]() -> asio::awaitable<void> {
        co_await until([&] { return r.first_seen.load(); });
        f.server->advance(seconds(3600));
        batchwire::test::delivery_text d;
        d.id = "msg_wake_1";
        d.body = batchwire::test::event_body("evt_wake_1", "batch.completed", id);
        answer = co_await batchwire::test::send(listener.local_endpoint(), d.text());
    });
    BOOST_REQUIRE(answer.has_value());
    BOOST_TEST(!answer->ec);
    BOOST_TEST(answer->status == 200u);
    BOOST_TEST(!r.ec, describe(r.ec, r.diag));
    BOOST_TEST(r.final_batch.status == batch_status::completed);
    BOOST_TEST(f.gets() == 2u); // the first retrieve and the confirming one
    BOOST_TEST(listener.stats().accepted == 1u);
    BOOST_TEST(unwatched.empty());
    BOOST_REQUIRE(listener_result.has_value());
    BOOST_TEST(!*listener_result);
    BOOST_TEST(wakeup_statistics(f.c).woken == 1u);
}

BOOST_AUTO_TEST_CASE(wake_ups_from_another_thread_while_threads_run_the_client, *boost::unit_test::label("threads"))
{
    emulator_fixture f;
    const auto input = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(4)).id;
    constexpr int n_batches = 64;
    constexpr int per_batch = 2; // two watchers share each loop
    std::vector<std::string> ids;
    for (int i = 0; i < n_batches; ++i)
        ids.push_back(f.server->put_batch({.input_file_id = input, .endpoint = "/v1/chat/completions"}).id);

    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    client c(ioc, f.client_opts());
    std::vector<watch_record> records(n_batches * per_batch);
    std::atomic<int> left{n_batches * per_batch}, unseen{n_batches * per_batch};
    std::promise<void> all_done, all_seen;
    for (int i = 0; i < n_batches * per_batch; ++i)
        start_watch(
            c, ids[i / per_batch], woken_options(std::chrono::hours(1)), records[i],
            [&] {
                if (--left == 0)
                    all_done.set_value();
            },
            [&] {
                if (--unseen == 0)
                    all_seen.set_value();
            });
    std::vector<std::thread> runners;
    for (int t = 0; t < 3; ++t)
        runners.emplace_back([&] { ioc.run(); });

    // Wake-ups before the batches can end (each confirms a non-terminal status), then, once
    // every watcher has seen its batch and the batches have ended, from two threads at once.
    auto wake_all = [&] {
        for (const auto& id : ids) {
            wake_watches(c, event_for(id));
            (void)wakeup_statistics(c);
        }
    };
    std::thread early(wake_all);
    early.join();
    bool finished = all_seen.get_future().wait_for(seconds(60)) == std::future_status::ready;
    if (finished) {
        f.server->advance(seconds(3600));
        std::thread waker_a(wake_all), waker_b(wake_all);
        waker_a.join();
        waker_b.join();
        finished = all_done.get_future().wait_for(seconds(60)) == std::future_status::ready;
    }
    work.reset();
    if (!finished)
        ioc.stop();
    for (auto& t : runners)
        t.join();
    BOOST_REQUIRE(finished);

    const std::vector<batch_status> expected{batch_status::validating, batch_status::completed};
    for (const auto& r : records) {
        BOOST_TEST(!r.ec, describe(r.ec, r.diag));
        BOOST_TEST(r.final_batch.status == batch_status::completed);
        BOOST_TEST(r.statuses == expected, boost::test_tools::per_element());
    }
    const auto stats = wakeup_statistics(c);
    BOOST_TEST(stats.events == 3u * n_batches);
    BOOST_TEST(stats.events == stats.woken + stats.unwatched + stats.ignored);
    BOOST_TEST(stats.ignored == 0u);
    // Per batch: the first poll, at most one for the early event (none when it came before
    // the watch or its first poll), at most two for the late pair (coalesced, or one meeting
    // a poll in flight).
    BOOST_TEST(f.server->request_count(get_route) >= 2u * n_batches);
    BOOST_TEST(f.server->request_count(get_route) <= 4u * n_batches);
}

BOOST_AUTO_TEST_SUITE_END()
