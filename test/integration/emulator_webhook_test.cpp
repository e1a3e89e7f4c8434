// The emulator's webhook sender: a batch that ends becomes one signed delivery, checked here
// by batchwire's webhook_receiver with the same secret; retries with doubling backoff on the
// emulated clock; each delivery fault; a clean stop with deliveries pending or in flight.

#include "child_process.hpp"
#include "emulator_fixture.hpp"
#include "webhook_delivery.hpp"

#include <batchwire/client.hpp>
#include <batchwire/emulator/server.hpp>
#include <batchwire/emulator/webhook_fault.hpp>
#include <batchwire/emulator/webhook_retry.hpp>
#include <batchwire/emulator/webhook_target.hpp>
#include <batchwire/webhook_error.hpp>
#include <batchwire/webhook_receiver.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace batchwire;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace em = batchwire::emulator;
using std::chrono::milliseconds;
using std::chrono::seconds;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
const std::string& secret = test::webhook_test_secret;

// What the test endpoint saw of one delivery.
struct arrival {
    std::string webhook_id;
    webhook_outcome outcome = webhook_outcome::refused;
    boost::system::error_code ec;       // why it was refused
    std::optional<webhook_event> event; // set when accepted
    std::int64_t emulated_ms = 0;       // the emulator's clock when it arrived
    unsigned answered = 0;
};

// A webhook endpoint on the test's io_context: each delivery is checked by webhook_receiver
// (the real signature check), recorded, and answered with the next scripted status, else
// the receiver's. With `stall`, it accepts connections and never reads or answers.
class webhook_sink {
public:
    explicit webhook_sink(asio::io_context& ctx)
        : acceptor_(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), wake_(ctx), receiver_(options())
    {
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook"; }

    std::vector<arrival> arrivals;
    std::deque<unsigned> script; // statuses answered first, in turn
    std::function<std::int64_t()> emulated_now;
    bool stall = false;

    asio::awaitable<void> serve()
    {
        std::vector<tcp::socket> stalled; // closed when serving ends
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec)
                break;
            if (stall)
                stalled.push_back(std::move(socket));
            else
                co_await answer(std::move(socket));
        }
    }

    // Waits until n deliveries have arrived (at most 20 s).
    asio::awaitable<void> wait_for(std::size_t n)
    {
        while (arrivals.size() < n) {
            wake_.expires_after(seconds(20));
            auto [ec] = co_await wake_.async_wait(use_tuple);
            if (!ec)
                BOOST_FAIL("only " << arrivals.size() << " of " << n << " deliveries arrived within 20 s");
        }
    }

    void close()
    {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    static webhook_receiver_options options()
    {
        webhook_receiver_options o;
        o.secrets = {secret};
        return o;
    }

    asio::awaitable<void> answer(tcp::socket socket)
    {
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(seconds(10));
        beast::flat_buffer buf;
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buf, req, use_tuple);
        if (ec)
            co_return;
        webhook_headers h;
        for (const auto& f : req)
            h.add(f.name_string(), f.value());
        webhook_verdict v = receiver_.receive(h, req.body());
        arrival a;
        a.webhook_id = std::string(req["webhook-id"]);
        a.outcome = v.outcome;
        a.ec = v.ec;
        a.event = std::move(v.event);
        a.emulated_ms = emulated_now ? emulated_now() : 0;
        a.answered = v.http_status;
        if (!script.empty()) {
            a.answered = script.front();
            script.pop_front();
        }
        http::response<http::string_body> res{static_cast<http::status>(a.answered), 11};
        res.keep_alive(false);
        res.prepare_payload();
        arrivals.push_back(std::move(a));
        wake_.cancel();
        std::tie(ec, n) = co_await http::async_write(stream, res, use_tuple);
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    tcp::acceptor acceptor_;
    asio::steady_timer wake_;
    webhook_receiver receiver_;
};

em::emulator_options manual_options()
{
    em::emulator_options o;
    o.manual_clock = true;
    o.start_time = 1'700'000'000;
    o.completion_window = seconds(10); // a large batch expires, a small one completes first
    o.webhook_secret = secret;
    return o;
}

em::emulator_options scaled_options()
{
    em::emulator_options o = manual_options();
    o.manual_clock = false;
    o.start_time.reset();
    o.time_scale = 1000;
    o.completion_window = seconds(24 * 3600);
    return o;
}

// The sink on the test's io_context, an emulator sending to it on a thread of its own.
struct webhook_fixture {
    explicit webhook_fixture(em::emulator_options o = manual_options(), bool with_url = true)
    {
        if (with_url)
            o.webhook_url = sink.url();
        server.emplace(server_ctx.get_executor(), std::move(o));
        sink.emulated_now = [this] { return server->now_ms(); };
        server->start();
        server_thread = std::thread([this] { server_ctx.run(); });
        input = server->put_file("in.jsonl", "batch", test::make_input_jsonl(1)).id;
    }
    ~webhook_fixture() { stop_server(); }
    webhook_fixture(const webhook_fixture&) = delete;

    void stop_server()
    {
        if (server_thread.joinable()) {
            server->stop();
            server_thread.join();
        }
    }

    // A batch of `lines` requests (0: an input that fails validation).
    std::string new_batch(int lines = 1)
    {
        const std::string file = lines == 1 ? input
                                 : lines == 0
                                     ? server->put_file("bad.jsonl", "batch", "not json\n").id
                                     : server->put_file("big.jsonl", "batch", test::make_input_jsonl(lines)).id;
        return server->put_batch({.input_file_id = file, .endpoint = "/v1/chat/completions"}).id;
    }
    client_options client_opts() const
    {
        client_options o;
        o.base_url = server->base_url();
        o.api_key = "sk-emulator";
        o.tls.ca_pem = server->ca_pem();
        return o;
    }
    // Enough emulated time for a one-request batch to complete.
    void finish_small_batches() { server->advance(seconds(5)); }

    // Runs the test body on ctx with the sink serving; the sink closes when it ends.
    void run(std::function<asio::awaitable<void>()> body)
    {
        asio::co_spawn(ctx, sink.serve(), asio::detached);
        auto done = asio::co_spawn(
            ctx,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await body();
                } catch (...) {
                    sink.close();
                    throw;
                }
                sink.close();
            },
            asio::use_future);
        ctx.run();
        done.get();
    }

    // Waits (at most 20 s) until the sender's counters satisfy `pred`: they change on the
    // emulator's thread after a delivery's answer arrived.
    asio::awaitable<void> until(std::function<bool(const em::webhook_delivery_stats&)> pred)
    {
        asio::steady_timer t(co_await asio::this_coro::executor);
        const auto deadline = std::chrono::steady_clock::now() + seconds(20);
        while (!pred(server->webhook_deliveries())) {
            if (std::chrono::steady_clock::now() > deadline)
                BOOST_FAIL("the sender's counters never got there");
            t.expires_after(milliseconds(1));
            co_await t.async_wait(asio::use_awaitable);
        }
    }

    asio::io_context ctx; // the test's and the sink's
    webhook_sink sink{ctx};
    asio::io_context server_ctx;
    std::optional<em::server> server;
    std::thread server_thread;
    std::string input;
};

struct scaled_fixture : webhook_fixture {
    scaled_fixture() : webhook_fixture(scaled_options()) {}
};

// A URL where nothing listens: each attempt is refused.
struct unreachable_fixture : webhook_fixture {
    unreachable_fixture() : webhook_fixture(options(), false) {}
    static em::emulator_options options()
    {
        asio::io_context ctx;
        tcp::acceptor a(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        em::emulator_options o = scaled_options();
        o.webhook_url = "http://127.0.0.1:" + std::to_string(a.local_endpoint().port()) + "/hook";
        o.webhook_retry.max_attempts = 3;
        return o; // the port is closed again here
    }
};

struct single_attempt_fixture : webhook_fixture {
    single_attempt_fixture() : webhook_fixture(options()) {}
    static em::emulator_options options()
    {
        em::emulator_options o = manual_options();
        o.webhook_retry.max_attempts = 1;
        return o;
    }
};

std::string batch_of(const arrival& a) { return a.event ? a.event->batch_id : std::string("(refused)"); }

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_webhook, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(retry_delay_doubles_up_to_the_cap_then_gives_up)
{
    const em::webhook_retry_params p{.max_attempts = 5, .initial_backoff = seconds(5), .max_backoff = seconds(30)};
    struct row {
        unsigned failed;
        std::optional<milliseconds> wait;
    };
    const row rows[] = {
        {0, seconds(5)}, // treated as one failed attempt
        {1, seconds(5)},  {2, seconds(10)}, {3, seconds(20)}, {4, seconds(30)}, // capped
        {5, std::nullopt}, {6, std::nullopt}, {4000000000u, std::nullopt},
    };
    for (const auto& r : rows)
        BOOST_TEST((em::webhook_retry_delay(r.failed, p) == r.wait), "after " << r.failed << " failed attempts");

    // One attempt only: never a retry. Zero attempts act as one.
    BOOST_TEST(!em::webhook_retry_delay(1, {.max_attempts = 1}).has_value());
    BOOST_TEST(!em::webhook_retry_delay(1, {.max_attempts = 0}).has_value());
    // A zero backoff retries at once; a cap below the start wins.
    BOOST_TEST((em::webhook_retry_delay(3, {.max_attempts = 9, .initial_backoff = milliseconds(0)}) == milliseconds(0)));
    BOOST_TEST((em::webhook_retry_delay(1, {.max_attempts = 9, .initial_backoff = seconds(9), .max_backoff = seconds(2)}) ==
                milliseconds(2000)));
    // Many doublings stay at the cap without overflowing.
    BOOST_TEST((em::webhook_retry_delay(200, {.max_attempts = 1000, .initial_backoff = seconds(1),
                                              .max_backoff = seconds(3600)}) == milliseconds(3600000)));
}

BOOST_AUTO_TEST_CASE(fault_specs_and_urls_parse)
{
    using em::webhook_fault_kind;
    struct good {
        const char* spec;
        webhook_fault_kind kind;
        std::size_t skip, count;
        milliseconds delay;
    };
    const good goods[] = {
        {"drop", webhook_fault_kind::drop, 0, 1, seconds(60)},
        {"duplicate:3", webhook_fault_kind::duplicate, 0, 3, seconds(60)},
        {"out_of_order:0", webhook_fault_kind::out_of_order, 0, 0, seconds(60)},
        {" bad_signature ", webhook_fault_kind::bad_signature, 0, 1, seconds(60)},
        {"kind=delay,delay_s=30,skip=1,count=2", webhook_fault_kind::delay, 1, 2, seconds(30)},
        {"kind=delay, delay_ms=250", webhook_fault_kind::delay, 0, 1, milliseconds(250)},
    };
    for (const auto& g : goods) {
        const auto r = em::parse_webhook_fault_rule(g.spec);
        BOOST_TEST((r.kind == g.kind), g.spec);
        BOOST_TEST(r.skip == g.skip, g.spec);
        BOOST_TEST(r.count == g.count, g.spec);
        BOOST_TEST((r.delay == g.delay), g.spec);
    }
    for (const char* bad : {"", "lose", "drop:", "drop:x", "drop:-1", "kind=drop,when=now", "count=2",
                            "kind=delay,delay_s=-5", "kind"})
        BOOST_CHECK_THROW(em::parse_webhook_fault_rule(bad), std::invalid_argument);

    auto t = em::parse_webhook_target("http://127.0.0.1:8080/hooks/openai?x=1");
    BOOST_TEST(t.endpoint.port() == 8080);
    BOOST_TEST(t.host == "127.0.0.1:8080");
    BOOST_TEST(t.target == "/hooks/openai?x=1");
    t = em::parse_webhook_target("http://localhost");
    BOOST_TEST(t.endpoint.address().to_string() == "127.0.0.1");
    BOOST_TEST(t.endpoint.port() == 80);
    BOOST_TEST(t.target == "/");
    t = em::parse_webhook_target("http://[::1]:9000/h");
    BOOST_TEST(t.endpoint.address().is_v6());
    BOOST_TEST(t.host == "[::1]:9000");
    for (const char* bad : {"", "127.0.0.1:80/x", "https://127.0.0.1/x", "http://example.com/x", "http://127.0.0.1:0/",
                            "http://127.0.0.1:99999/", "http://127.0.0.1:x/", "http://u@127.0.0.1/", "http:///x"})
        BOOST_CHECK_THROW(em::parse_webhook_target(bad), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_bad_configuration_is_refused_at_construction)
{
    asio::io_context ctx;
    auto o = manual_options();
    o.webhook_url = "http://127.0.0.1:9/x";
    o.webhook_secret.clear();
    BOOST_CHECK_THROW(em::server(ctx.get_executor(), o), std::invalid_argument);
    o.webhook_secret = "whsec_%%%%";
    BOOST_CHECK_THROW(em::server(ctx.get_executor(), o), std::invalid_argument);
    o.webhook_secret = secret;
    o.webhook_url = "https://127.0.0.1:9/x";
    BOOST_CHECK_THROW(em::server(ctx.get_executor(), o), std::invalid_argument);
    // Without a URL: no sender, no counters, and no faults to add.
    o.webhook_url.clear();
    em::server quiet(ctx.get_executor(), o);
    BOOST_TEST(quiet.webhook_deliveries().events == 0u);
    BOOST_CHECK_THROW(quiet.add_webhook_fault({}), std::logic_error);
}

BOOST_FIXTURE_TEST_CASE(each_terminal_status_is_delivered_once_and_verifies, webhook_fixture)
{
    run([this]() -> asio::awaitable<void> {
        const std::string completed = new_batch(1);
        const std::string failed = new_batch(0);
        const std::string expired = new_batch(200); // 40 s of requests, 10 s window
        const std::string cancelled = new_batch(1);
        client c(ctx, client_opts());
        const request_options ro;
        const batch b = co_await c.cancel(cancelled, ro);
        BOOST_TEST(b.status_text == "cancelling");
        BOOST_TEST(server->webhook_deliveries().events == 0u); // nothing has ended yet

        server->advance(seconds(700)); // past the expiry and the cancelling window
        co_await sink.wait_for(4);
        const std::pair<std::string, webhook_event_type> expected[] = {
            {completed, webhook_event_type::batch_completed},
            {failed, webhook_event_type::batch_failed},
            {expired, webhook_event_type::batch_expired},
            {cancelled, webhook_event_type::batch_cancelled},
        };
        for (const auto& [id, type] : expected) {
            int seen = 0;
            for (const auto& a : sink.arrivals) {
                if (batch_of(a) != id)
                    continue;
                ++seen;
                BOOST_TEST((a.outcome == webhook_outcome::accepted), a.ec.message());
                BOOST_TEST((a.event->type == type), a.event->type_name);
                BOOST_TEST(a.event->id.starts_with("evt_"));
                BOOST_TEST(a.event->payload.at("object").as_string() == "event");
                // created_at: the emulated instant the batch ended.
                const auto ended = server->find_batch(id);
                const auto at = ended->completed_at.value_or(
                    ended->failed_at.value_or(ended->expired_at.value_or(ended->cancelled_at.value_or(0))));
                BOOST_TEST(a.event->created_at == at);
                BOOST_TEST(a.webhook_id.starts_with("wh_"));
            }
            BOOST_TEST(seen == 1, id);
        }
        co_await until([](const em::webhook_delivery_stats& s) { return s.delivered == 4 && s.pending == 0; });
        const auto s = server->webhook_deliveries();
        BOOST_TEST(s.events == 4u);
        BOOST_TEST(s.attempts == 4u);
        BOOST_TEST(s.failed_attempts == 0u);
        // Reading the ended batches again makes no new event.
        for (const auto& [id, type] : expected)
            BOOST_TEST(server->find_batch(id).has_value());
        BOOST_TEST(server->webhook_deliveries().events == 4u);
    });
}

BOOST_FIXTURE_TEST_CASE(non_2xx_answers_are_retried_with_doubling_backoff, scaled_fixture)
{
    run([this]() -> asio::awaitable<void> {
        sink.script = {500, 503};
        const std::string id = new_batch(1); // ends by itself: the clock runs 1000 times faster
        co_await sink.wait_for(3);
        const auto& a = sink.arrivals;
        BOOST_TEST(a[0].webhook_id == a[1].webhook_id);
        BOOST_TEST(a[1].webhook_id == a[2].webhook_id);
        BOOST_TEST(a[0].answered == 500u);
        BOOST_TEST(a[1].answered == 503u);
        // Every attempt is signed anew and verifies; the receiver took the first and saw the
        // others as redeliveries of it.
        BOOST_TEST((a[0].outcome == webhook_outcome::accepted));
        BOOST_TEST(batch_of(a[0]) == id);
        BOOST_TEST((a[1].outcome == webhook_outcome::duplicate));
        BOOST_TEST((a[2].outcome == webhook_outcome::duplicate));
        // 5 s, then 10 s of emulated time between attempts (5 and 10 ms of wall time).
        BOOST_TEST(a[1].emulated_ms - a[0].emulated_ms >= 5000);
        BOOST_TEST(a[2].emulated_ms - a[1].emulated_ms >= 10000);
        co_await until([](const em::webhook_delivery_stats& s) { return s.pending == 0; });
        const auto s = server->webhook_deliveries();
        BOOST_TEST(s.events == 1u);
        BOOST_TEST(s.attempts == 3u);
        BOOST_TEST(s.failed_attempts == 2u);
        BOOST_TEST(s.delivered == 1u);
        BOOST_TEST(s.abandoned == 0u);
    });
}

BOOST_FIXTURE_TEST_CASE(refused_connections_are_retried_then_abandoned, unreachable_fixture)
{
    run([this]() -> asio::awaitable<void> {
        new_batch(1);
        co_await until([](const em::webhook_delivery_stats& s) { return s.abandoned == 1; });
        const auto s = server->webhook_deliveries();
        BOOST_TEST(s.attempts == 3u); // webhook_retry.max_attempts
        BOOST_TEST(s.failed_attempts == 3u);
        BOOST_TEST(s.delivered == 0u);
        BOOST_TEST(s.pending == 0u);
        BOOST_TEST(sink.arrivals.empty());
    });
}

BOOST_FIXTURE_TEST_CASE(drop_sends_nothing, webhook_fixture)
{
    server->add_webhook_fault(em::parse_webhook_fault_rule("drop"));
    run([this]() -> asio::awaitable<void> {
        new_batch(1);
        finish_small_batches();
        BOOST_TEST(server->webhook_deliveries().dropped == 1u);
        // Deliveries go out in turn: when the next event arrives, the first would have.
        const std::string next = new_batch(1);
        finish_small_batches();
        co_await sink.wait_for(1);
        BOOST_TEST(sink.arrivals.size() == 1u);
        BOOST_TEST(batch_of(sink.arrivals[0]) == next);
        const auto s = server->webhook_deliveries();
        BOOST_TEST(s.events == 2u);
        BOOST_TEST(s.attempts == 1u);
    });
}

BOOST_FIXTURE_TEST_CASE(duplicate_sends_the_same_webhook_id_twice, webhook_fixture)
{
    server->add_webhook_fault(em::parse_webhook_fault_rule("duplicate"));
    run([this]() -> asio::awaitable<void> {
        const std::string id = new_batch(1);
        finish_small_batches();
        co_await sink.wait_for(2);
        const auto& a = sink.arrivals;
        BOOST_TEST(a[0].webhook_id == a[1].webhook_id);
        BOOST_TEST((a[0].outcome == webhook_outcome::accepted));
        BOOST_TEST(batch_of(a[0]) == id);
        BOOST_TEST((a[1].outcome == webhook_outcome::duplicate)); // verified, then recognised
        co_await until([](const em::webhook_delivery_stats& s) { return s.delivered == 2 && s.pending == 0; });
        BOOST_TEST(server->webhook_deliveries().events == 1u);
    });
}

BOOST_FIXTURE_TEST_CASE(delay_holds_the_event_for_emulated_time, webhook_fixture)
{
    server->add_webhook_fault(em::parse_webhook_fault_rule("kind=delay,delay_s=30"));
    run([this]() -> asio::awaitable<void> {
        const std::string late = new_batch(1);
        finish_small_batches(); // ends; due 30 emulated seconds from now
        const std::int64_t due = server->now_ms() + 30000;
        const std::string next = new_batch(1);
        finish_small_batches(); // ends and goes out at once, 10 s before the delayed one
        co_await sink.wait_for(1);
        BOOST_TEST(batch_of(sink.arrivals[0]) == next);
        BOOST_TEST(server->webhook_deliveries().pending >= 1u);
        server->advance(seconds(25)); // 5 s past its due time
        co_await sink.wait_for(2);
        BOOST_TEST(batch_of(sink.arrivals[1]) == late);
        BOOST_TEST(sink.arrivals[1].emulated_ms >= due);
        BOOST_TEST((sink.arrivals[1].outcome == webhook_outcome::accepted));
    });
}

BOOST_FIXTURE_TEST_CASE(out_of_order_sends_an_event_after_the_next, webhook_fixture)
{
    server->add_webhook_fault(em::parse_webhook_fault_rule("out_of_order"));
    run([this]() -> asio::awaitable<void> {
        const std::string first = new_batch(1);
        const std::string second = new_batch(1);
        finish_small_batches(); // both end, first first
        co_await sink.wait_for(2);
        BOOST_TEST(batch_of(sink.arrivals[0]) == second);
        BOOST_TEST(batch_of(sink.arrivals[1]) == first);
        BOOST_TEST(sink.arrivals[0].event->created_at == sink.arrivals[1].event->created_at);
    });
}

BOOST_FIXTURE_TEST_CASE(bad_signature_is_refused_by_the_receiver, single_attempt_fixture)
{
    server->add_webhook_fault(em::parse_webhook_fault_rule("bad_signature"));
    run([this]() -> asio::awaitable<void> {
        new_batch(1);
        finish_small_batches();
        co_await sink.wait_for(1);
        BOOST_TEST((sink.arrivals[0].outcome == webhook_outcome::refused));
        BOOST_TEST((sink.arrivals[0].ec == webhook_error::bad_signature));
        BOOST_TEST(sink.arrivals[0].answered == 400u);
        // The next event is signed properly (the rule applied once).
        const std::string next = new_batch(1);
        finish_small_batches();
        co_await sink.wait_for(2);
        BOOST_TEST((sink.arrivals[1].outcome == webhook_outcome::accepted));
        BOOST_TEST(batch_of(sink.arrivals[1]) == next);
        co_await until([](const em::webhook_delivery_stats& s) { return s.pending == 0; });
        const auto s = server->webhook_deliveries();
        BOOST_TEST(s.abandoned == 1u); // one attempt allowed here
        BOOST_TEST(s.failed_attempts == 1u);
        BOOST_TEST(s.delivered == 1u);
    });
}

BOOST_FIXTURE_TEST_CASE(a_stalled_receiver_neither_blocks_requests_nor_the_stop, webhook_fixture)
{
    sink.stall = true; // accepts, never answers: the attempt waits for its 10 s timeout
    run([this]() -> asio::awaitable<void> {
        const std::string id = new_batch(1);
        finish_small_batches();
        co_await until([](const em::webhook_delivery_stats& s) { return s.attempts == 1; });
        // The API answers while the delivery hangs.
        client c(ctx, client_opts());
        const request_options ro;
        const batch b = co_await c.retrieve(id, ro);
        BOOST_TEST(b.status_text == "completed");
        // Another delivery waits behind it, on emulated time that never comes.
        server->add_webhook_fault(em::parse_webhook_fault_rule("kind=delay,delay_s=3600"));
        new_batch(1);
        finish_small_batches();
        BOOST_TEST(server->webhook_deliveries().pending == 2u);
        // Stopping ends the attempt in flight and discards the queue at once, well before
        // the attempt's timeout.
        const auto before = std::chrono::steady_clock::now();
        stop_server();
        BOOST_TEST((std::chrono::steady_clock::now() - before < seconds(5)));
        BOOST_TEST(server->webhook_deliveries().pending == 0u);
        BOOST_TEST(server->webhook_deliveries().delivered == 0u);
    });
}

#ifdef BATCHWIRE_EMULATOR_PATH
BOOST_AUTO_TEST_CASE(the_program_refuses_bad_webhook_flags)
{
    const auto scratch =
        std::filesystem::temp_directory_path() / ("batchwire-emulator-webhook-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    const auto run = [&](const std::vector<std::string>& args) {
        auto r = test::run_child(BATCHWIRE_EMULATOR_PATH, args, {}, seconds(30), scratch);
        BOOST_TEST_MESSAGE("exit " << r.exit_code << " stderr: " << r.err);
        return r;
    };
    const std::string url = "http://127.0.0.1:9/hook";
    const std::vector<std::vector<std::string>> bad{
        {"--webhook-url", url},
        {"--webhook-secret", secret},
        {"--webhook-fault", "drop"},
        {"--webhook-url", url, "--webhook-secret", secret, "--webhook-fault", "lose"},
        {"--webhook-url", "https://127.0.0.1:9/hook", "--webhook-secret", secret},
        {"--webhook-url", "http://example.com/hook", "--webhook-secret", secret},
        {"--webhook-url", url, "--webhook-secret", "whsec_%%%%secret-text"},
        {"--webhook-url", url, "--webhook-secret", secret, "--webhook-attempts", "0"},
        {"--webhook-url", url, "--webhook-secret", secret, "--webhook-backoff-s", "-1"},
    };
    for (const auto& args : bad) {
        const auto r = run(args);
        BOOST_TEST(r.exit_code == 2, args.back());
        BOOST_TEST(r.err.starts_with("batchwire-emulator: "), r.err);
        BOOST_TEST(r.err.find("secret-text") == std::string::npos);
    }
    const auto help = run({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("--webhook-fault") != std::string::npos);
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
