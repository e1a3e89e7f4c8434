// The log line format, and the stderr logger's level filter and whole-line writes.

#include "../../src/log_line.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using namespace batchwire;
using namespace std::chrono_literals;

// Runs `f` with stderr sent to a temporary file, and returns what was written.
template <class F>
std::string captured_stderr(F f)
{
    std::fflush(stderr);
    std::FILE* file = std::tmpfile();
    BOOST_TEST_REQUIRE(file != nullptr);
    const int saved = ::dup(::fileno(stderr));
    ::dup2(::fileno(file), ::fileno(stderr));
    f();
    std::fflush(stderr);
    ::dup2(saved, ::fileno(stderr));
    ::close(saved);
    std::string out;
    std::rewind(file);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;)
        out.append(buf, n);
    std::fclose(file);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(logger)

BOOST_AUTO_TEST_CASE(event_kind_names)
{
    BOOST_TEST(to_string(log_event_kind::request_sent) == "request_sent");
    BOOST_TEST(to_string(log_event_kind::response_received) == "response_received");
    BOOST_TEST(to_string(log_event_kind::retry_scheduled) == "retry_scheduled");
    BOOST_TEST(to_string(log_event_kind::request_failed) == "request_failed");
    BOOST_TEST(to_string(log_event_kind::connection_opened) == "connection_opened");
    BOOST_TEST(to_string(log_event_kind::connection_reused) == "connection_reused");
    BOOST_TEST(to_string(log_event_kind::connection_closed) == "connection_closed");
}

BOOST_AUTO_TEST_CASE(retry_line)
{
    const log_event e{.level = log_level::info,
                      .kind = log_event_kind::retry_scheduled,
                      .method = "POST",
                      .target = "/v1/batches/x/cancel",
                      .status = 503,
                      .request_id = "req_1",
                      .attempt = 1,
                      .delay = 500ms,
                      .reason = "503 server_error: busy"};
    BOOST_TEST(detail::format_log_line(e) == "batchwire info retry_scheduled POST /v1/batches/x/cancel status=503 "
                                             "request_id=req_1 attempt=1 delay_ms=500 reason=503 server_error: busy");
}

BOOST_AUTO_TEST_CASE(only_set_fields_are_printed)
{
    BOOST_TEST(detail::format_log_line({.level = log_level::debug,
                                        .kind = log_event_kind::connection_reused,
                                        .connection_id = 7}) == "batchwire debug connection_reused connection=7");
    BOOST_TEST(detail::format_log_line({.level = log_level::debug,
                                        .kind = log_event_kind::connection_opened,
                                        .elapsed = 1234us,
                                        .connection_id = 2}) ==
               "batchwire debug connection_opened elapsed_us=1234 connection=2");
    BOOST_TEST(detail::format_log_line({.level = log_level::warning,
                                        .kind = log_event_kind::request_failed,
                                        .method = "GET",
                                        .target = "/v1/batches",
                                        .attempt = 3,
                                        .reason = "timeout"}) ==
               "batchwire warning request_failed GET /v1/batches attempt=3 reason=timeout");
    BOOST_TEST(detail::format_log_line({.level = log_level::error}) == "batchwire error request_sent");
}

BOOST_AUTO_TEST_CASE(scheduled_retry_always_shows_its_delay)
{
    BOOST_TEST(detail::format_log_line({.kind = log_event_kind::retry_scheduled, .attempt = 2}) ==
               "batchwire info retry_scheduled attempt=2 delay_ms=0");
}

BOOST_AUTO_TEST_CASE(control_characters_cannot_break_the_line)
{
    const std::string line = detail::format_log_line(
        {.kind = log_event_kind::request_failed, .target = "/v1/x\r\ny", .reason = "bad\nline\x7f"});
    BOOST_TEST(line == "batchwire info request_failed /v1/x\\x0d\\x0ay reason=bad\\x0aline\\x7f");
}

BOOST_AUTO_TEST_CASE(no_event_is_built_below_the_level)
{
    struct row {
        log_level min, level;
        bool built;
    };
    const row rows[] = {
        {log_level::debug, log_level::debug, true},     {log_level::info, log_level::debug, false},
        {log_level::info, log_level::info, true},       {log_level::warning, log_level::info, false},
        {log_level::warning, log_level::error, true},   {log_level::error, log_level::warning, false},
        {log_level::error, log_level::error, true},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("min " << static_cast<int>(r.min) << " level " << static_cast<int>(r.level))
        {
            int delivered = 0;
            log_level seen = log_level::debug;
            const batchwire::logger log([&](const log_event& e) {
                ++delivered;
                seen = e.level;
            }, r.min);
            int built = 0;
            log.log(r.level, [&] {
                ++built;
                return log_event{.kind = log_event_kind::request_sent};
            });
            BOOST_TEST(built == (r.built ? 1 : 0));
            BOOST_TEST(delivered == built);
            if (r.built)
                BOOST_TEST((seen == r.level)); // the level given, whatever the builder set
            BOOST_TEST(log.enabled(r.level) == r.built);
        }
    }
}

BOOST_AUTO_TEST_CASE(empty_logger_builds_nothing)
{
    const batchwire::logger log;
    BOOST_TEST(!log);
    BOOST_TEST(!log.enabled(log_level::error));
    int built = 0;
    log.log(log_level::error, [&] {
        ++built;
        return log_event{};
    });
    BOOST_TEST(built == 0);
    log({.level = log_level::error}); // no callable: nothing happens
}

BOOST_AUTO_TEST_CASE(a_plain_callable_gets_every_level)
{
    int delivered = 0;
    const batchwire::logger log = [&](const log_event&) { ++delivered; };
    BOOST_TEST((log.min_level() == log_level::debug));
    log({.level = log_level::debug});
    log({.level = log_level::error});
    BOOST_TEST(delivered == 2);
}

BOOST_AUTO_TEST_CASE(stderr_logger_filters_by_level)
{
    const std::string out = captured_stderr([] {
        const batchwire::logger log = stderr_logger(log_level::warning);
        log({.level = log_level::debug, .kind = log_event_kind::request_sent});
        log({.level = log_level::info, .kind = log_event_kind::request_sent});
        log({.level = log_level::warning, .kind = log_event_kind::request_failed, .reason = "w"});
        log({.level = log_level::error, .kind = log_event_kind::request_failed, .reason = "e"});
    });
    BOOST_TEST(out == "batchwire warning request_failed reason=w\nbatchwire error request_failed reason=e\n");
}

BOOST_AUTO_TEST_CASE(stderr_logger_default_level_is_info)
{
    const std::string out = captured_stderr([] {
        const batchwire::logger log = stderr_logger();
        log({.level = log_level::debug, .kind = log_event_kind::connection_reused, .connection_id = 1});
        log({.level = log_level::info, .kind = log_event_kind::connection_reused, .connection_id = 2});
    });
    BOOST_TEST(out == "batchwire info connection_reused connection=2\n");
}

BOOST_AUTO_TEST_CASE(lines_from_several_threads_do_not_interleave)
{
    constexpr int threads = 4;
    constexpr int lines_each = 500;
    const std::string reason(300, 'r');
    const std::string out = captured_stderr([&] {
        const batchwire::logger log = stderr_logger(log_level::debug);
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&log, &reason, t] {
                for (int i = 0; i < lines_each; ++i)
                    log({.kind = log_event_kind::request_sent, .attempt = static_cast<unsigned>(t + 1),
                         .reason = reason});
            });
        for (auto& w : workers)
            w.join();
    });
    std::istringstream in(out);
    int count = 0;
    bool all_whole = true;
    for (std::string line; std::getline(in, line); ++count) {
        const bool whole = line.starts_with("batchwire info request_sent attempt=") &&
                           line.size() == std::string("batchwire info request_sent attempt=1 reason=").size() +
                                              reason.size() &&
                           line.ends_with(" reason=" + reason);
        all_whole = all_whole && whole;
    }
    BOOST_TEST(all_whole);
    BOOST_TEST(count == threads * lines_each);
}

BOOST_AUTO_TEST_SUITE_END()
