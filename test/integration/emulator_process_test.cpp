// The batchwire-emulator program itself, run as a child process the way scripts run it:
// its first stdout line, HTTPS trusting the CA file it names, its --fault flag, its exit on
// SIGTERM and SIGINT, and its command-line errors.
#ifdef BATCHWIRE_EMULATOR_PATH

#include "child_process.hpp"
#include "run_to_completion.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/syscall.h>

#include <atomic>
#include <optional>
#include <regex>

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using batchwire::test::read_file;
using batchwire::test::run_child;
using clock_type = std::chrono::steady_clock;

// Milliseconds left until `deadline`, for poll(); 0 once it has passed.
int ms_until(clock_type::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// A scratch directory of its own per test case, removed at the end.
struct scratch_dir {
    scratch_dir()
    {
        static std::atomic<int> counter{0};
        path = fs::temp_directory_path() /
               ("batchwire-emulator-process-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~scratch_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

// batchwire-emulator running in the background (run_child waits for a program to finish;
// a server has to be talked to first): stdout through a pipe, stderr into a file, and its
// exit observed through a pidfd, each wait bounded by a deadline. Killed if still running
// when destroyed.
class emulator_child {
public:
    emulator_child(const std::vector<std::string>& args, const fs::path& scratch)
        : err_path_(scratch / "emulator-stderr.txt")
    {
        int out[2];
        BOOST_REQUIRE_MESSAGE(::pipe2(out, O_CLOEXEC) == 0, "pipe2: " << std::strerror(errno));
        out_ = out[0];
        std::vector<char*> argv{const_cast<char*>(BATCHWIRE_EMULATOR_PATH)};
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO); // dup2 clears O_CLOEXEC
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        const int rc = ::posix_spawn(&pid_, BATCHWIRE_EMULATOR_PATH, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]); // the child's copy is the only writer left: EOF when it exits
        BOOST_REQUIRE_MESSAGE(rc == 0, "posix_spawn " BATCHWIRE_EMULATOR_PATH ": " << std::strerror(rc));
        pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        BOOST_REQUIRE_MESSAGE(pidfd_ >= 0, "pidfd_open: " << std::strerror(errno));
    }
    ~emulator_child()
    {
        if (!reaped_ && pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        if (pidfd_ >= 0)
            ::close(pidfd_);
        if (out_ >= 0)
            ::close(out_);
    }
    emulator_child(const emulator_child&) = delete;
    emulator_child& operator=(const emulator_child&) = delete;

    // The first line on stdout (without the newline); nullopt when stdout closed or
    // `limit` passed first.
    std::optional<std::string> first_line(std::chrono::milliseconds limit)
    {
        const auto deadline = clock_type::now() + limit;
        std::string got;
        for (;;) {
            if (const auto nl = got.find('\n'); nl != std::string::npos)
                return got.substr(0, nl);
            pollfd p{out_, POLLIN, 0};
            const int rc = ::poll(&p, 1, ms_until(deadline));
            if (rc < 0 && errno == EINTR)
                continue;
            if (rc <= 0)
                return std::nullopt; // the deadline (or a poll failure)
            char buf[512];
            const ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0)
                return std::nullopt; // EOF: the emulator exited without a line
            got.append(buf, static_cast<std::size_t>(n));
        }
    }

    void send(int sig) { BOOST_REQUIRE_MESSAGE(::kill(pid_, sig) == 0, "kill: " << std::strerror(errno)); }

    // The wait status once the child exited, nullopt when `limit` passed first.
    std::optional<int> wait_exit(std::chrono::milliseconds limit)
    {
        if (!reaped_) {
            const auto deadline = clock_type::now() + limit;
            for (;;) {
                pollfd p{pidfd_, POLLIN, 0}; // readable once the process has terminated
                const int rc = ::poll(&p, 1, ms_until(deadline));
                if (rc < 0 && errno == EINTR)
                    continue;
                if (rc <= 0)
                    return std::nullopt;
                break;
            }
            BOOST_REQUIRE(::waitpid(pid_, &status_, 0) == pid_); // a zombie by now: no wait
            reaped_ = true;
        }
        return status_;
    }

    std::string stderr_text() const { return read_file(err_path_); }

private:
    fs::path err_path_;
    pid_t pid_ = -1;
    int out_ = -1;
    int pidfd_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

// The ready line: {"base_url": ..., "ca_file": ...}, exactly those two strings.
struct ready_line {
    std::string base_url, ca_file;
};

ready_line parse_ready(const std::string& line)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(line, ec);
    BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "not a JSON object: " << line);
    const auto& o = v.get_object();
    BOOST_TEST(o.size() == 2u, line);
    const auto* url = o.if_contains("base_url");
    const auto* ca = o.if_contains("ca_file");
    BOOST_REQUIRE_MESSAGE(url && url->is_string() && ca && ca->is_string(), line);
    return {std::string(url->get_string()), std::string(ca->get_string())};
}

// The port of "SCHEME://127.0.0.1:PORT/v1"; 0 when the URL is not of that form.
unsigned port_of(const std::string& base_url, const std::string& scheme)
{
    std::smatch m;
    if (!std::regex_match(base_url, m, std::regex(scheme + R"(://127\.0\.0\.1:([0-9]{1,5})/v1)")))
        return 0;
    const unsigned long port = std::stoul(m[1].str());
    return port <= 65535 ? static_cast<unsigned>(port) : 0;
}

// A client of the child emulator: no retries, every call bounded.
batchwire::client_options client_opts(const ready_line& ready, std::string api_key)
{
    batchwire::client_options o;
    o.base_url = ready.base_url;
    o.api_key = std::move(api_key);
    o.tls.use_system_trust = false;
    o.tls.ca_file = ready.ca_file;
    o.retry.max_retries = 0;
    o.attempt_timeout = 10s;
    o.total_timeout = 20s;
    return o;
}

using batchwire::test::run_to_completion;

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto start_limit = 30s; // generating a TLS identity on a loaded machine
constexpr auto exit_limit = 5s;   // "promptly": stop() closes everything at once

std::string describe_status(int status)
{
    if (WIFEXITED(status))
        return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_process)

BOOST_AUTO_TEST_CASE(serves_https_with_the_ca_file_it_prints_applies_fault_flags_and_exits_0_on_sigterm)
{
    scratch_dir scratch;
    emulator_child emu({"--api-key", "sk-process-test", "--fault",
                        "route=GET /v1/batches/{id},kind=http_status,status=503,count=1"},
                       scratch.path);
    const auto line = emu.first_line(start_limit);
    BOOST_REQUIRE_MESSAGE(line, "no ready line; stderr: " << emu.stderr_text());
    const ready_line ready = parse_ready(*line);
    BOOST_TEST(port_of(ready.base_url, "https") != 0u, ready.base_url);
    BOOST_REQUIRE_MESSAGE(fs::is_regular_file(ready.ca_file), ready.ca_file);
    BOOST_TEST(read_file(ready.ca_file).starts_with("-----BEGIN CERTIFICATE-----"));

    asio::io_context ctx;
    batchwire::diagnostics diag;
    const batchwire::batch_list_params all{};
    batchwire::client c(ctx, client_opts(ready, "sk-process-test"));
    {
        auto [ec, page] = run_to_completion(ctx, c.async_list(all, diag, tuple));
        BOOST_TEST(!ec, batchwire::describe(ec, diag));
        BOOST_TEST(page.data.empty());
        BOOST_TEST(!page.has_more);
    }
    {
        // The key is checked...
        batchwire::client wrong(ctx, client_opts(ready, "sk-wrong"));
        auto [ec, page] = run_to_completion(ctx, wrong.async_list(all, diag, tuple));
        BOOST_TEST(ec == batchwire::error::authentication_failed, batchwire::describe(ec, diag));
        BOOST_TEST(diag.http_status == 401u);
    }
    {
        // ...and it is the printed CA that makes TLS work.
        auto o = client_opts(ready, "sk-process-test");
        o.tls.ca_file.clear();
        batchwire::client untrusting(ctx, o);
        auto [ec, page] = run_to_completion(ctx, untrusting.async_list(all, diag, tuple));
        BOOST_TEST(ec == batchwire::error::tls_handshake_failed, batchwire::describe(ec, diag));
    }
    {
        // --fault: the first retrieve gets the 503, the next one the real answer.
        auto [ec, b] = run_to_completion(ctx, c.async_retrieve("batch_process_test", diag, tuple));
        BOOST_TEST(ec == batchwire::error::server_error, batchwire::describe(ec, diag));
        BOOST_TEST(diag.http_status == 503u);
        BOOST_TEST(diag.attempts == 1u);
        auto [ec2, b2] = run_to_completion(ctx, c.async_retrieve("batch_process_test", diag, tuple));
        BOOST_TEST(ec2 == batchwire::error::not_found, batchwire::describe(ec2, diag));
        BOOST_TEST(diag.http_status == 404u);
    }

    // SIGTERM while `c` keeps a connection alive: the server closes it and exits 0.
    emu.send(SIGTERM);
    const auto status = emu.wait_exit(exit_limit);
    BOOST_REQUIRE_MESSAGE(status, "still running " << exit_limit.count() << " s after SIGTERM");
    BOOST_TEST(describe_status(*status) == "exit 0", emu.stderr_text());
    BOOST_TEST(!fs::exists(ready.ca_file)); // a clean exit: the generated CA is cleaned up
}

BOOST_AUTO_TEST_CASE(plain_http_and_exit_0_on_sigint)
{
    scratch_dir scratch;
    emulator_child emu({"--plain-http"}, scratch.path);
    const auto line = emu.first_line(start_limit);
    BOOST_REQUIRE_MESSAGE(line, "no ready line; stderr: " << emu.stderr_text());
    const ready_line ready = parse_ready(*line);
    BOOST_TEST(port_of(ready.base_url, "http") != 0u, ready.base_url);
    BOOST_TEST(ready.ca_file.empty());

    asio::io_context ctx;
    batchwire::diagnostics diag;
    const batchwire::batch_list_params all{};
    batchwire::client c(ctx, client_opts(ready, "sk-emulator"));
    auto [ec, page] = run_to_completion(ctx, c.async_list(all, diag, tuple));
    BOOST_TEST(!ec, batchwire::describe(ec, diag));

    emu.send(SIGINT);
    const auto status = emu.wait_exit(exit_limit);
    BOOST_REQUIRE_MESSAGE(status, "still running " << exit_limit.count() << " s after SIGINT");
    BOOST_TEST(describe_status(*status) == "exit 0", emu.stderr_text());
}

BOOST_AUTO_TEST_CASE(bad_command_lines_exit_2_and_help_exits_0)
{
    scratch_dir scratch;
    const auto go = [&](std::vector<std::string> args) {
        return run_child(BATCHWIRE_EMULATOR_PATH, args, {}, std::chrono::seconds(30), scratch.path);
    };
    auto r = go({"--help"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("--fault SPEC") != std::string::npos);
    BOOST_TEST(r.out.find("--request-timeout-ms") != std::string::npos);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--no-such-flag"}, {"--fault", "kind=nope"}, {"--port", "http"},
          {"--request-timeout-ms", "soon"}, {"--time-scale", "0"}, {"--fault"}}) {
        r = go(args);
        BOOST_TEST(!r.timed_out);
        BOOST_TEST(r.exit_code == 2, args.front() << ": " << r.err);
        BOOST_TEST(r.err.starts_with("batchwire-emulator: "), r.err);
        BOOST_TEST(r.out.empty()); // no ready line for a command line that was refused
    }
}

BOOST_AUTO_TEST_SUITE_END()

#endif // BATCHWIRE_EMULATOR_PATH
