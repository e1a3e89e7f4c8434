#ifndef BATCHWIRE_TEST_CHILD_PROCESS_HPP
#define BATCHWIRE_TEST_CHILD_PROCESS_HPP

// Runs a program (an example, the CLI) as a child process with an explicit environment,
// within a time limit, and collects its exit code and output.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace batchwire::test {

inline std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct child_result {
    int exit_code = -1;  // -1: killed by a signal (or by us, after the time limit)
    bool timed_out = false;
    std::string out, err;
};

// Runs `program` with `args` and exactly `env` (plus the sanitizers' *SAN_OPTIONS, so that a
// sanitized build behaves the same in the child), stdout and stderr into files, and waits at
// most `limit` for it: past that it is killed and the result says timed_out.
inline child_result run_child(const std::filesystem::path& program, const std::vector<std::string>& args,
                       std::vector<std::string> env, std::chrono::seconds limit, const std::filesystem::path& scratch)
{
    for (char** e = environ; *e; ++e) {
        const std::string_view var = *e;
        if (var.starts_with("ASAN_OPTIONS=") || var.starts_with("UBSAN_OPTIONS=") ||
            var.starts_with("TSAN_OPTIONS=") || var.starts_with("LSAN_OPTIONS="))
            env.emplace_back(var);
    }
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    const auto out_path = scratch / "stdout.txt";
    const auto err_path = scratch / "stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    BOOST_REQUIRE_MESSAGE(rc == 0, "posix_spawn " << program << ": " << std::strerror(rc));

    // Wait for the child: waitpid(WNOHANG) between short timer waits, up to the limit.
    child_result r;
    int status = 0;
    boost::asio::io_context ctx;
    boost::asio::steady_timer tick(ctx);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w != 0) // checked without BOOST_REQUIRE, which would count an assertion per tick
            BOOST_FAIL(std::string("waitpid: ") + std::strerror(errno));
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.timed_out = true;
            break;
        }
        tick.expires_after(std::chrono::milliseconds(5));
        tick.wait();
    }
    if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    return r;
}

} // namespace batchwire::test

#endif
