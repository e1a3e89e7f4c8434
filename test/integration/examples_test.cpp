// The examples (examples/*.cpp) run as child processes against an in-process emulator,
// configured the way a user would: OPENAI_BASE_URL, OPENAI_API_KEY and SSL_CERT_FILE.
//
// The emulator runs on a real clock scaled 600x, so the 10-minute cancelling window takes
// one second of wall time, while each request of a batch takes 10000 emulated seconds
// (about 17 s): the batches stay in_progress for as long as a test runs, so a child has time
// to start and cancel them, and request_counts move only when the test advances the clock.
//
// The binaries are found through BATCHWIRE_EXAMPLES_DIR (test/CMakeLists.txt:
// $<TARGET_FILE_DIR:example_01_cancel_one>).

#include "child_process.hpp"
#include "emulator_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#ifdef BATCHWIRE_EXAMPLES_DIR

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
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::child_result;
using batchwire::test::run_child;
using std::chrono::seconds;

namespace {

constexpr int request_seconds = 10000; // emulated seconds per request of a batch

emulator::emulator_options example_emulator_options()
{
    emulator::emulator_options o;
    o.time_scale = 600;                           // cancelling window (600 s): 1 s of wall time
    o.validating_duration = seconds(1);
    o.requests_per_second = 1.0 / request_seconds; // one request per 10000 emulated seconds
    return o;
}

struct examples_fixture : test::emulator_fixture {
    examples_fixture() : emulator_fixture(example_emulator_options())
    {
        scratch = std::filesystem::temp_directory_path() / ("batchwire-examples-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(scratch);
        ca_file = scratch / "emulator-ca.pem";
        std::ofstream(ca_file, std::ios::binary) << server->ca_pem();
        input_file_id = server->put_file("input.jsonl", "batch", test::make_input_jsonl(100)).id;
    }
    ~examples_fixture()
    {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }

    // A batch past validating with `done` requests completed.
    std::string running_batch(int done = 3)
    {
        const auto b = server->put_batch({.input_file_id = input_file_id, .endpoint = "/v1/chat/completions"});
        server->advance(seconds(2) + seconds(request_seconds) * done);
        BOOST_REQUIRE(server->find_batch(b.id).value().status == batch_status::in_progress);
        return b.id;
    }

    child_result run_example(const std::string& name, const std::vector<std::string>& args,
                             std::chrono::seconds limit = seconds(60))
    {
        const auto program = std::filesystem::path(BATCHWIRE_EXAMPLES_DIR) / name;
        std::vector<std::string> env{"OPENAI_BASE_URL=" + server->base_url(), "OPENAI_API_KEY=sk-emulator",
                                     "SSL_CERT_FILE=" + ca_file.string()};
        auto r = run_child(program, args, std::move(env), limit, scratch);
        BOOST_TEST_MESSAGE(name << " exited with " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
        BOOST_TEST(!r.timed_out, name << " did not finish within " << limit.count() << " s");
        BOOST_TEST(r.exit_code == 0, name << " exit code " << r.exit_code << "; stderr: " << r.err);
        return r;
    }

    std::filesystem::path scratch;
    std::filesystem::path ca_file;
    std::string input_file_id;
};

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_FIXTURE_TEST_CASE(cancel_one_batch, examples_fixture)
{
    const auto id = running_batch();
    const auto r = run_example("example_01_cancel_one", {id});
    BOOST_TEST(contains(r.out, "id:     " + id), r.out);
    BOOST_TEST(contains(r.out, "status: cancelling"), r.out);
    BOOST_TEST(server->request_count("POST /v1/batches/{id}/cancel") == 1u);
    BOOST_TEST((server->find_batch(id).value().status == batch_status::cancelling));

    // A batch that does not exist: exit code 1 and the API's message.
    const auto program = std::filesystem::path(BATCHWIRE_EXAMPLES_DIR) / "example_01_cancel_one";
    const auto missing = run_child(program, {"batch_missing"},
                                   {"OPENAI_BASE_URL=" + server->base_url(), "OPENAI_API_KEY=sk-emulator",
                                    "SSL_CERT_FILE=" + ca_file.string()},
                                   seconds(60), scratch);
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(contains(missing.err, "No batch found with id 'batch_missing'"), missing.err);
}

BOOST_FIXTURE_TEST_CASE(cancel_and_watch, examples_fixture)
{
    const auto id = running_batch(3);
    const auto r = run_example("example_02_cancel_and_watch",
                               {id, "--server-time-scale", "600", "--poll-interval-ms", "50"});
    BOOST_TEST(contains(r.out, "  cancelling (completed "), r.out); // the cancel's answer, first
    BOOST_TEST(contains(r.out, "  cancelling -> cancelled"), r.out);
    BOOST_TEST(contains(r.out, "final status:   cancelled"), r.out);
    const auto final_batch = server->find_batch(id).value();
    BOOST_REQUIRE(final_batch.output_file_id.has_value()); // three requests had completed
    BOOST_TEST(contains(r.out, "output_file_id: " + *final_batch.output_file_id), r.out);
}

BOOST_FIXTURE_TEST_CASE(error_handling, examples_fixture)
{
    const auto r = run_example("example_03_error_handling", {});
    BOOST_TEST(contains(r.out, "describe():  404 not_found (invalid_request_error): No batch found with id "
                               "'batch_does_not_exist'."),
               r.out);
    BOOST_TEST(contains(r.out, "describe():  invalid_argument"), r.out);
    BOOST_TEST(contains(r.out, "describe():  401 authentication_failed"), r.out);
    BOOST_TEST(!contains(r.out + r.err, "sk-not-a-valid-key")); // keys never appear in errors
    BOOST_TEST(contains(r.out, "all errors came out as expected"), r.out);
    // 1 and 2: one GET each (404 is not retried); 3: nothing sent; 4: one 401.
    BOOST_TEST(server->request_count("GET /v1/batches/{id}") == 3u);
}

BOOST_FIXTURE_TEST_CASE(watch_many_on_one_thread, examples_fixture)
{
    constexpr int count = 2000;
    const auto r = run_example("example_04_watch_many",
                               {"--count", std::to_string(count), "--server-time-scale", "600",
                                "--poll-interval-ms", "100"},
                               seconds(120));
    // "  <status>: <n>" per status; they add up to the count.
    static const std::regex status_line(R"(^  ([a-z_]+): (\d+)$)");
    long sum = 0;
    long cancelled = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_match(line, m, status_line)) {
            // Each batch would run for 50 s: normally all are cancelled, but on a slow machine
            // the first ones may have completed before their cancel was sent.
            BOOST_TEST((m[1] == "cancelled" || m[1] == "completed"), line);
            sum += std::stol(m[2]);
            if (m[1] == "cancelled")
                cancelled += std::stol(m[2]);
        }
    }
    BOOST_TEST(sum == count, r.out);
    BOOST_TEST(cancelled > 0, r.out);
    BOOST_TEST(contains(r.out, "total: " + std::to_string(count)), r.out);
    BOOST_TEST(contains(r.out, "errors: 0 creating, 0 watching"), r.out);
    BOOST_TEST(contains(r.out, "peak RSS: "), r.out);
    BOOST_TEST(server->request_count("POST /v1/batches") == static_cast<std::size_t>(count));
    BOOST_TEST(server->request_count("POST /v1/files") == 1u);
}

BOOST_FIXTURE_TEST_CASE(completion_tokens, examples_fixture)
{
    const auto id = running_batch();
    const auto r = run_example("example_05_completion_tokens", {id});
    BOOST_TEST(contains(r.out, "1. callback\n   " + id + " is in_progress"), r.out);
    BOOST_TEST(contains(r.out, "2. use_future, io_context on a second thread\n   " + id + " is in_progress"), r.out);
    BOOST_TEST(contains(r.out, "as expected: 404 not_found"), r.out);
    BOOST_TEST(contains(r.out, "(a) retrieve: the operation was cancelled; the server may have acted: no"), r.out);
    BOOST_TEST(contains(r.out, "(b) stopped watching after 300 ms"), r.out);
}

BOOST_AUTO_TEST_SUITE_END()

#endif
