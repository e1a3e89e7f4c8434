// `batchwire results` and `batchwire cancel --watch --results DIR --input FILE` against an
// in-process emulator: the JSON object on stdout, the files written, the usage errors.

#include "child_process.hpp"
#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#ifdef BATCHWIRE_CLI_PATH

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace batchwire;
using batchwire::test::child_result;
using batchwire::test::run_child;
using std::chrono::seconds;

namespace {

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

struct cli_results_fixture : test::emulator_fixture {
    cli_results_fixture() : emulator_fixture(options())
    {
        scratch = std::filesystem::temp_directory_path() / ("batchwire-cli-results-" + std::to_string(::getpid()));
        std::filesystem::create_directories(scratch);
        ca_file = scratch / "ca.pem";
        std::ofstream(ca_file, std::ios::binary) << server->ca_pem();
    }
    ~cli_results_fixture()
    {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }
    static emulator::emulator_options options()
    {
        emulator::emulator_options o;
        o.time_scale = 600; // the 10-minute cancelling window in one second
        o.validating_duration = seconds(1);
        o.requests_per_second = 1e-4; // one request per 10,000 emulated seconds
        return o;
    }
    child_result cli(const std::vector<std::string>& args)
    {
        std::vector<std::string> env{"OPENAI_BASE_URL=" + server->base_url(), "OPENAI_API_KEY=sk-emulator",
                                     "SSL_CERT_FILE=" + ca_file.string()};
        auto r = run_child(BATCHWIRE_CLI_PATH, args, std::move(env), seconds(60), scratch);
        BOOST_TEST_MESSAGE("batchwire exited " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
        BOOST_TEST(!r.timed_out);
        return r;
    }
    std::string start_batch(int n)
    {
        input = test::make_input_jsonl(n);
        std::ofstream(input_path(), std::ios::binary) << input;
        const std::string file_id = server->put_file("in.jsonl", "batch", input).id;
        const batch_create_params p{.input_file_id = file_id, .endpoint = "/v1/chat/completions"};
        return server->put_batch(p).id;
    }
    std::string input_path() const { return (scratch / "input.jsonl").string(); }
    std::string path(const std::string& name) const { return (scratch / name).string(); }

    std::filesystem::path scratch, ca_file;
    std::string input;
};

} // namespace

BOOST_AUTO_TEST_SUITE(cli_results, *boost::unit_test::timeout(300))

BOOST_FIXTURE_TEST_CASE(results_of_a_completed_batch, cli_results_fixture)
{
    server->fail_lines([](std::string_view id) { return id == "req-2"; });
    const auto id = start_batch(5);
    server->advance(seconds(2) + seconds(50000) + seconds(10)); // all 5 ran, then finalizing
    BOOST_REQUIRE(server->find_batch(id)->status == batch_status::completed);

    // Without --input: counts per custom_id of the files, missing 0, no paths.
    auto plain = cli({"results", id});
    BOOST_REQUIRE(plain.exit_code == 0);
    const auto p = boost::json::parse(plain.out).as_object();
    BOOST_TEST(p.at("id").as_string() == id);
    BOOST_TEST(p.at("status").as_string() == "completed");
    BOOST_TEST(p.at("succeeded").as_int64() == 4);
    BOOST_TEST(p.at("failed").as_int64() == 1);
    BOOST_TEST(p.at("not_run").as_int64() == 0);
    BOOST_TEST(p.at("missing").as_int64() == 0);
    BOOST_TEST(p.at("resubmit_file").is_null());
    BOOST_TEST(p.at("outcomes_file").is_null());

    auto full = cli({"results", id, "--input", input_path(), "--resubmit", path("again.jsonl"), "--resubmit-failed",
                     "-o", path("outcomes.jsonl")});
    BOOST_REQUIRE(full.exit_code == 0);
    const auto f = boost::json::parse(full.out).as_object();
    BOOST_TEST(f.at("succeeded").as_int64() == 4);
    BOOST_TEST(f.at("failed").as_int64() == 1);
    BOOST_TEST(f.at("resubmit_file").as_string() == path("again.jsonl"));
    BOOST_TEST(f.at("outcomes_file").as_string() == path("outcomes.jsonl"));
    BOOST_TEST(f.at("resubmitted").as_int64() == 1);
    BOOST_TEST(read_all(path("again.jsonl")) == lines_of(input).at(2) + "\n");
    const auto records = lines_of(read_all(path("outcomes.jsonl")));
    BOOST_TEST(records.size() == 5u);
    std::set<std::string> ids;
    for (const auto& l : records) {
        const auto o = boost::json::parse(l).as_object();
        ids.insert(std::string(o.at("custom_id").as_string()));
        const bool failed = o.at("custom_id") == "req-2";
        BOOST_TEST(o.at("outcome").as_string() == (failed ? "failed" : "succeeded"));
        BOOST_TEST(o.at("status_code").as_int64() == (failed ? 400 : 200));
        BOOST_TEST(o.contains("body"));
        BOOST_TEST(!o.at("request_id").as_string().empty());
    }
    BOOST_TEST(ids.size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(cancel_watch_results_chains_them, cli_results_fixture)
{
    const auto id = start_batch(8);
    server->advance(seconds(2) + seconds(30000)); // 3 of 8 ran
    const auto dir = scratch / "recovered";
    auto r = cli({"cancel", id, "--watch", "--server-time-scale", "600", "--poll-interval", "20ms", "--results",
                  dir.string(), "--input", input_path()});
    BOOST_TEST(r.exit_code == 10); // cancelled
    BOOST_TEST(r.err.find("cancelling -> cancelled") != std::string::npos);
    const auto o = boost::json::parse(r.out).as_object();
    BOOST_TEST(o.at("id").as_string() == id);
    BOOST_TEST(o.at("status").as_string() == "cancelled");
    const auto succeeded = o.at("succeeded").as_int64();
    const auto not_run = o.at("not_run").as_int64();
    BOOST_TEST(succeeded >= 3); // the cancel lets requests in flight finish
    BOOST_TEST(succeeded + not_run == 8);
    BOOST_TEST(o.at("failed").as_int64() == 0);
    BOOST_TEST(o.at("missing").as_int64() == 0);
    const std::string resubmit = std::string(o.at("resubmit_file").as_string());
    BOOST_TEST(resubmit == (dir / (id + ".resubmit.jsonl")).string());
    // Exactly the requests that never ran, as they were in the input: the last ones.
    const auto lines = lines_of(input);
    std::string expected;
    for (std::size_t i = static_cast<std::size_t>(succeeded); i < lines.size(); ++i)
        expected += lines[i] + "\n";
    BOOST_TEST(read_all(resubmit) == expected);
    BOOST_TEST(lines_of(read_all(std::string(o.at("outcomes_file").as_string()))).size() == 8u);
}

BOOST_FIXTURE_TEST_CASE(usage_errors_and_unfinished_batches, cli_results_fixture)
{
    const auto id = start_batch(3);
    BOOST_TEST(cli({"results"}).exit_code == 2);
    BOOST_TEST(cli({"results", id, "--resubmit", path("r.jsonl")}).exit_code == 2);    // needs --input
    BOOST_TEST(cli({"results", id, "--resubmit-failed"}).exit_code == 2);              // needs --resubmit
    BOOST_TEST(cli({"results", id, "--input", ""}).exit_code == 2);
    BOOST_TEST(cli({"cancel", id, "--results", path("d")}).exit_code == 2);            // needs --watch
    BOOST_TEST(cli({"cancel", id, "--watch", "--input", input_path()}).exit_code == 2); // needs --results
    // Still validating or in progress: its files are not final.
    auto early = cli({"results", id, "--input", input_path(), "--resubmit", path("r.jsonl")});
    BOOST_TEST(early.exit_code == 2);
    BOOST_TEST(early.err.find("only once it has ended") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(path("r.jsonl")));
    BOOST_TEST(!std::filesystem::exists(path("r.jsonl.part")));
    auto help = cli({"results", "--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("--resubmit-failed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

#endif
