// `batchwire watch --webhook-listen` and `cancel --watch --webhook-listen` against an
// in-process emulator that sends its signed webhooks to the CLI: the watch ends on the
// event (polls are an hour apart), and with the event dropped it ends through the fallback
// poll.

#include "child_process.hpp"
#include "emulator_fixture.hpp"
#include "webhook_delivery.hpp"

#ifdef BATCHWIRE_CLI_PATH

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace batchwire;
using batchwire::test::child_result;
using batchwire::test::run_child;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace asio = boost::asio;

namespace {

// A loopback port free a moment ago: the emulator must know the CLI's webhook address
// before the CLI starts.
unsigned short free_port()
{
    asio::io_context ctx;
    asio::ip::tcp::acceptor a(ctx, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return a.local_endpoint().port();
}

struct cli_webhook_fixture : test::emulator_fixture {
    cli_webhook_fixture() : cli_webhook_fixture(free_port()) {}
    explicit cli_webhook_fixture(unsigned short port)
        : emulator_fixture(options(port)), listen("127.0.0.1:" + std::to_string(port))
    {
        scratch = std::filesystem::temp_directory_path() /
                  ("batchwire-cli-webhook-watch-" + std::to_string(::getpid()) + "-" + std::to_string(port));
        std::filesystem::create_directories(scratch);
        ca_file = scratch / "ca.pem";
        std::ofstream(ca_file, std::ios::binary) << server->ca_pem();
        input = server->put_file("in.jsonl", "batch", test::make_input_jsonl(1)).id;
    }
    ~cli_webhook_fixture()
    {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }
    static emulator::emulator_options options(unsigned short port)
    {
        emulator::emulator_options o = test::fast_emulator_options(); // manual clock
        o.webhook_url = "http://127.0.0.1:" + std::to_string(port) + "/hooks";
        o.webhook_secret = test::webhook_test_secret;
        return o;
    }

    std::string new_batch()
    {
        return server->put_batch({.input_file_id = input, .endpoint = "/v1/chat/completions"}).id;
    }

    // Runs the CLI; once the emulator has handled a request on `route` (the CLI is listening
    // by then: it listens before its first request), moves the emulated clock by `advance`.
    child_result cli_driving(const std::vector<std::string>& args, const std::string& route, seconds advance,
                             std::vector<std::string> env = {})
    {
        std::atomic<bool> ended{false};
        std::thread driver([&] {
            asio::io_context io;
            asio::steady_timer tick(io);
            const auto deadline = std::chrono::steady_clock::now() + seconds(30);
            while (!ended && server->handled_count(route) == 0 && std::chrono::steady_clock::now() < deadline) {
                tick.expires_after(milliseconds(2));
                tick.wait();
            }
            server->advance(advance);
        });
        if (env.empty())
            env = {"OPENAI_WEBHOOK_SECRET=" + test::webhook_test_secret};
        env.push_back("OPENAI_BASE_URL=" + server->base_url());
        env.push_back("OPENAI_API_KEY=sk-emulator");
        env.push_back("SSL_CERT_FILE=" + ca_file.string());
        auto r = run_child(BATCHWIRE_CLI_PATH, args, std::move(env), seconds(60), scratch);
        ended = true;
        driver.join();
        BOOST_TEST_MESSAGE("batchwire exited " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
        BOOST_TEST(!r.timed_out);
        return r;
    }

    std::string listen;
    std::filesystem::path scratch, ca_file;
    std::string input;
};

std::string status_of(const child_result& r)
{
    return std::string(boost::json::parse(r.out).at("status").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli_webhook_watch, *boost::unit_test::timeout(180))

BOOST_FIXTURE_TEST_CASE(watch_ends_on_the_event, cli_webhook_fixture)
{
    const std::string id = new_batch();
    // Polls an hour apart: only the event can end this watch in time.
    auto r = cli_driving({"watch", id, "--webhook-listen", listen, "--webhook-path", "/hooks", "--poll-interval",
                          "1h"},
                         "GET /v1/batches/{id}", seconds(10));
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(status_of(r) == "completed");
    BOOST_TEST(r.err.find("webhook batch.completed evt_") != std::string::npos);
    BOOST_TEST(r.err.find(" for " + id) != std::string::npos);
    BOOST_TEST(r.err.find(test::webhook_test_secret.substr(6)) == std::string::npos);
    BOOST_TEST(server->webhook_deliveries().attempts == 1u); // answered at the first attempt
    // The first look, then the confirming retrieve the event triggered.
    BOOST_TEST(server->request_count("GET /v1/batches/{id}") <= 3u);
}

BOOST_FIXTURE_TEST_CASE(cancel_watch_ends_on_the_event, cli_webhook_fixture)
{
    const std::string id = new_batch();
    // The watch's first poll follows the cancel: the batch is watched from then on.
    auto r = cli_driving({"cancel", id, "--watch", "--webhook-listen", listen, "--webhook-path", "/hooks",
                          "--poll-interval", "1h"},
                         "GET /v1/batches/{id}", seconds(601)); // past the cancelling window
    BOOST_TEST(r.exit_code == 10);
    BOOST_TEST(status_of(r) == "cancelled");
    BOOST_TEST(r.err.find("webhook batch.cancelled evt_") != std::string::npos);
    BOOST_TEST(r.err.find(" for " + id) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_dropped_event_leaves_the_fallback_poll_to_end_it, cli_webhook_fixture)
{
    server->add_webhook_fault(emulator::parse_webhook_fault_rule("drop"));
    const std::string id = new_batch();
    auto r = cli_driving({"watch", id, "--webhook-listen", listen, "--webhook-path", "/hooks", "--poll-interval",
                          "50ms"},
                         "GET /v1/batches/{id}", seconds(10));
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(status_of(r) == "completed");
    BOOST_TEST(r.err.find("webhook batch.") == std::string::npos);
    BOOST_TEST(server->webhook_deliveries().dropped == 1u);
    BOOST_TEST(server->webhook_deliveries().attempts == 0u);
}

BOOST_FIXTURE_TEST_CASE(configuration_errors_are_usage_errors, cli_webhook_fixture)
{
    const std::string id = new_batch();
    const auto run = [&](std::vector<std::string> args, std::vector<std::string> env) {
        env.push_back("OPENAI_BASE_URL=" + server->base_url());
        env.push_back("OPENAI_API_KEY=sk-emulator");
        auto r = run_child(BATCHWIRE_CLI_PATH, args, std::move(env), seconds(30), scratch);
        BOOST_TEST_MESSAGE("exit " << r.exit_code << " stderr: " << r.err);
        return r;
    };
    const std::vector<std::string> with_secret{"OPENAI_WEBHOOK_SECRET=" + test::webhook_test_secret};
    auto no_secret = run({"watch", id, "--webhook-listen", listen}, {});
    BOOST_TEST(no_secret.exit_code == 2);
    BOOST_TEST(no_secret.err.find("OPENAI_WEBHOOK_SECRET") != std::string::npos);
    auto bad_secret = run({"watch", id, "--webhook-listen", listen}, {"OPENAI_WEBHOOK_SECRET=whsec_%%%%secret-text"});
    BOOST_TEST(bad_secret.exit_code == 2);
    BOOST_TEST(bad_secret.err.find("secret-text") == std::string::npos);
    BOOST_TEST(run({"watch", id, "--webhook-listen", "nowhere"}, with_secret).exit_code == 2);
    BOOST_TEST(run({"watch", id, "--webhook-path", "/hooks"}, with_secret).exit_code == 2);
    BOOST_TEST(run({"watch", id, "--webhook-listen", listen, "--webhook-path", "hooks"}, with_secret).exit_code == 2);
    BOOST_TEST(run({"cancel", id, "--webhook-listen", listen}, with_secret).exit_code == 2);
    // None of them reached the API.
    BOOST_TEST(server->request_count() == 0u);
    auto help = run({"watch", "--help"}, {});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("--webhook-listen") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

#endif
