// `batchwire webhook listen` as a user runs it: verified events as JSON lines on stdout,
// forged, stale and tampered deliveries answered 4xx and printed nowhere, a clean stop on
// SIGTERM and SIGINT, configuration errors as usage errors.

#include "child_process.hpp"
#include "run_to_completion.hpp"
#include "webhook_delivery.hpp"

#ifdef BATCHWIRE_CLI_PATH

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <optional>

using namespace batchwire;
using batchwire::test::delivery_text;
using batchwire::test::event_body;
using batchwire::test::send;
using batchwire::test::webhook_test_secret;
namespace asio = boost::asio;
using std::chrono::seconds;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The CLI as a running server: stdout and stderr are pipes the test reads as they come.
class listening_cli {
public:
    listening_cli(asio::io_context& ctx, std::vector<std::string> args, std::vector<std::string> env)
        : out_(ctx), err_(ctx), guard_(ctx)
    {
        int out_pipe[2], err_pipe[2];
        BOOST_REQUIRE(::pipe(out_pipe) == 0 && ::pipe(err_pipe) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
        posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
        std::vector<char*> argv{const_cast<char*>(BATCHWIRE_CLI_PATH)};
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (char** e = environ; *e; ++e)
            if (std::string_view(*e).find("SAN_OPTIONS=") != std::string_view::npos)
                env.emplace_back(*e);
        std::vector<char*> envp;
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        const int rc = posix_spawn(&pid_, BATCHWIRE_CLI_PATH, &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(out_pipe[1]);
        ::close(err_pipe[1]);
        out_.assign(out_pipe[0]);
        err_.assign(err_pipe[0]);
        BOOST_REQUIRE(rc == 0);
        // Whatever happens, the child does not outlive the test by more than a minute.
        guard_.expires_after(seconds(60));
        guard_.async_wait([pid = pid_](boost::system::error_code ec) {
            if (!ec)
                ::kill(pid, SIGKILL);
        });
    }
    ~listening_cli()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    // The next line of stdout (without its newline); empty at the end.
    asio::awaitable<std::string> stdout_line() { return line_of(out_, out_buf_); }
    asio::awaitable<std::string> stderr_line() { return line_of(err_, err_buf_); }

    // The port from "listening for webhooks on http://127.0.0.1:PORT/...".
    asio::awaitable<unsigned short> port()
    {
        const std::string line = co_await stderr_line();
        const auto at = line.find("http://127.0.0.1:");
        BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no listening line: " << line);
        co_return static_cast<unsigned short>(std::stoi(line.substr(at + 17)));
    }

    // Sends `sig`, reads both pipes to their end, and returns the exit code.
    asio::awaitable<int> stop(int sig, std::string& rest_out, std::string& rest_err)
    {
        ::kill(pid_, sig);
        rest_out = co_await read_all(out_, out_buf_);
        rest_err = co_await read_all(err_, err_buf_);
        int status = 0;
        ::waitpid(pid_, &status, 0); // the pipes closed: it has exited
        pid_ = -1;
        guard_.cancel();
        co_return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    static asio::awaitable<std::string> line_of(asio::posix::stream_descriptor& d, std::string& buf)
    {
        auto [ec, n] = co_await asio::async_read_until(d, asio::dynamic_buffer(buf), '\n', use_tuple);
        if (ec)
            co_return std::string{};
        std::string line = buf.substr(0, n - 1);
        buf.erase(0, n);
        co_return line;
    }
    static asio::awaitable<std::string> read_all(asio::posix::stream_descriptor& d, std::string& buf)
    {
        auto [ec, n] = co_await asio::async_read(d, asio::dynamic_buffer(buf), use_tuple);
        (void)ec;
        (void)n;
        co_return std::exchange(buf, {});
    }

    pid_t pid_ = -1;
    asio::posix::stream_descriptor out_, err_;
    std::string out_buf_, err_buf_;
    asio::steady_timer guard_;
};

std::vector<std::string> cli_env(const std::string& secret)
{
    // The runner builds an API client for every command, so a key must be set; webhook
    // listen never uses it.
    return {"OPENAI_API_KEY=sk-unused", "OPENAI_WEBHOOK_SECRET=" + secret};
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli_webhook, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(prints_verified_events_refuses_forgeries_stops_on_sigterm)
{
    asio::io_context ctx;
    listening_cli cli(ctx, {"webhook", "listen", "--listen", "127.0.0.1:0", "--path", "/hooks/openai"},
                      cli_env(webhook_test_secret));
    test::run_to_completion(ctx, [&]() -> asio::awaitable<void> {
        const asio::ip::tcp::endpoint ep(asio::ip::address_v4::loopback(), co_await cli.port());

        delivery_text first;
        first.target = "/hooks/openai";
        first.body = event_body("evt_one", "batch.cancelled", "batch_abc");
        BOOST_TEST((co_await send(ep, first.text())).status == 200u);
        auto line = boost::json::parse(co_await cli.stdout_line());
        BOOST_TEST(line.at("id").as_string() == "evt_one");
        BOOST_TEST(line.at("type").as_string() == "batch.cancelled");
        BOOST_TEST(line.at("data").at("id").as_string() == "batch_abc");

        // Forged (another secret), stale, tampered: 400, nothing printed.
        delivery_text forged = first;
        forged.id = "msg_forged";
        forged.signature = sign_webhook("whsec_" "b3RoZXIta2V5LWZvci10ZXN0cw==", forged.id, forged.ts, forged.body);
        BOOST_TEST((co_await send(ep, forged.text())).status == 400u);
        delivery_text stale = first;
        stale.id = "msg_stale";
        stale.ts -= 600;
        BOOST_TEST((co_await send(ep, stale.text())).status == 400u);
        delivery_text tampered = first;
        tampered.id = "msg_tampered";
        tampered.signature = sign_webhook(webhook_test_secret, tampered.id, tampered.ts, tampered.body);
        tampered.body = event_body("evt_one", "batch.completed", "batch_abc");
        BOOST_TEST((co_await send(ep, tampered.text())).status == 400u);
        // A redelivery of the first: 200, not printed again. Another path: 404.
        delivery_text again = first;
        again.ts += 1;
        BOOST_TEST((co_await send(ep, again.text())).status == 200u);
        delivery_text elsewhere = first;
        elsewhere.target = "/webhook";
        BOOST_TEST((co_await send(ep, elsewhere.text())).status == 404u);

        delivery_text second;
        second.id = "msg_2";
        second.target = "/hooks/openai";
        second.body = event_body("evt_two", "batch.expired", "batch_def");
        BOOST_TEST((co_await send(ep, second.text())).status == 200u);
        // The very next line is the second event: nothing was printed in between.
        line = boost::json::parse(co_await cli.stdout_line());
        BOOST_TEST(line.at("id").as_string() == "evt_two");

        std::string rest_out, rest_err;
        const int code = co_await cli.stop(SIGTERM, rest_out, rest_err);
        BOOST_TEST_MESSAGE("stderr:\n" << rest_err);
        BOOST_TEST(code == 0);
        BOOST_TEST(rest_out.empty());
        BOOST_TEST(rest_err.find("refused") != std::string::npos);
        BOOST_TEST(rest_err.find("2 events, 1 duplicates, 4 refused") != std::string::npos);
        BOOST_TEST(rest_err.find(webhook_test_secret.substr(6)) == std::string::npos);
    }());
}

BOOST_AUTO_TEST_CASE(stops_cleanly_on_sigint)
{
    asio::io_context ctx;
    listening_cli cli(ctx, {"webhook", "listen", "--listen", "127.0.0.1:0"}, cli_env(webhook_test_secret));
    test::run_to_completion(ctx, [&]() -> asio::awaitable<void> {
        const asio::ip::tcp::endpoint ep(asio::ip::address_v4::loopback(), co_await cli.port());
        delivery_text d; // the default path is /webhook
        BOOST_TEST((co_await send(ep, d.text())).status == 200u);
        BOOST_TEST(boost::json::parse(co_await cli.stdout_line()).at("id").as_string() == "evt_1");
        std::string rest_out, rest_err;
        BOOST_TEST(co_await cli.stop(SIGINT, rest_out, rest_err) == 0);
        BOOST_TEST(rest_err.find("stopped") != std::string::npos);
    }());
}

BOOST_AUTO_TEST_CASE(configuration_errors_are_usage_errors)
{
    const auto scratch = std::filesystem::temp_directory_path() / ("batchwire-cli-webhook-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    const auto run = [&](std::vector<std::string> args, std::vector<std::string> env) {
        auto r = test::run_child(BATCHWIRE_CLI_PATH, args, std::move(env), seconds(30), scratch);
        BOOST_TEST_MESSAGE("exit " << r.exit_code << " stderr: " << r.err);
        return r;
    };
    auto no_secret = run({"webhook", "listen"}, {"OPENAI_API_KEY=sk-unused"});
    BOOST_TEST(no_secret.exit_code == 2);
    BOOST_TEST(no_secret.err.find("OPENAI_WEBHOOK_SECRET") != std::string::npos);
    auto bad_secret = run({"webhook", "listen"}, cli_env("whsec_%%%%secret-text"));
    BOOST_TEST(bad_secret.exit_code == 2);
    BOOST_TEST(bad_secret.err.find("secret-text") == std::string::npos);
    BOOST_TEST(run({"webhook", "serve"}, cli_env(webhook_test_secret)).exit_code == 2);
    BOOST_TEST(run({"webhook", "listen", "--listen", "nowhere"}, cli_env(webhook_test_secret)).exit_code == 2);
    BOOST_TEST(run({"webhook", "listen", "--listen", "127.0.0.1:70000"}, cli_env(webhook_test_secret)).exit_code == 2);
    BOOST_TEST(run({"webhook", "listen", "--path", "x"}, cli_env(webhook_test_secret)).exit_code == 2);
    BOOST_TEST(run({"webhook", "listen", "--tls-cert", "a.pem"}, cli_env(webhook_test_secret)).exit_code == 2);
    auto help = run({"webhook", "--help"}, {});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("OPENAI_WEBHOOK_SECRET") != std::string::npos);
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
}

BOOST_AUTO_TEST_SUITE_END()

#endif
