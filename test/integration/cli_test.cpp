// The `batchwire` command-line tool against an in-process emulator, configured by the
// environment as a user would: its output, its exit codes, its watch.

#include "child_process.hpp"
#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#ifdef BATCHWIRE_CLI_PATH

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace batchwire;
using batchwire::test::child_result;
using batchwire::test::run_child;
using std::chrono::seconds;

namespace {

struct cli_fixture : test::emulator_fixture {
    cli_fixture() : emulator_fixture(options())
    {
        scratch = std::filesystem::temp_directory_path() / ("batchwire-cli-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(scratch);
        ca_file = scratch / "ca.pem";
        std::ofstream(ca_file, std::ios::binary) << server->ca_pem();
    }
    ~cli_fixture()
    {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }
    static emulator::emulator_options options()
    {
        emulator::emulator_options o;
        o.time_scale = 600; // the 10-minute cancelling window in one second
        o.validating_duration = seconds(1);
        o.requests_per_second = 1e-4; // batches stay in_progress while a test runs
        return o;
    }
    child_result cli(const std::vector<std::string>& args, std::string key = "sk-emulator")
    {
        std::vector<std::string> env{"OPENAI_BASE_URL=" + server->base_url(), "OPENAI_API_KEY=" + key,
                                     "SSL_CERT_FILE=" + ca_file.string()};
        auto r = run_child(BATCHWIRE_CLI_PATH, args, std::move(env), seconds(60), scratch);
        BOOST_TEST_MESSAGE("batchwire exited " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
        BOOST_TEST(!r.timed_out);
        return r;
    }
    std::filesystem::path scratch, ca_file;
};

} // namespace

BOOST_AUTO_TEST_SUITE(cli, *boost::unit_test::timeout(300))

BOOST_FIXTURE_TEST_CASE(upload_create_get_list_cancel_watch_download, cli_fixture)
{
    const auto input = scratch / "input.jsonl";
    std::ofstream(input, std::ios::binary) << test::make_input_jsonl(50);

    auto up = cli({"upload", input.string()});
    BOOST_REQUIRE(up.exit_code == 0);
    const auto file = boost::json::parse(up.out).as_object();
    const std::string file_id(file.at("id").as_string());
    BOOST_TEST(file.at("purpose").as_string() == "batch");

    auto created = cli({"create", "--input-file", file_id, "--endpoint", "/v1/chat/completions", "--metadata", "team=evals"});
    BOOST_REQUIRE(created.exit_code == 0);
    const auto b = boost::json::parse(created.out).as_object();
    const std::string id(b.at("id").as_string());
    BOOST_TEST(b.at("metadata").at("team").as_string() == "evals");

    auto got = cli({"get", id});
    BOOST_TEST(got.exit_code == 0);
    BOOST_TEST(boost::json::parse(got.out).at("id").as_string() == id);

    auto listed = cli({"list", "--limit", "5"});
    BOOST_TEST(listed.exit_code == 0);
    BOOST_TEST(boost::json::parse(listed.out).at("data").as_array().size() == 1u);

    // Run a few requests, then cancel and watch it to its end, with the partial files.
    server->advance(seconds(2) + seconds(30000));
    const auto out_dir = scratch / "partial";
    auto watched = cli({"cancel", id, "--watch", "--server-time-scale", "600", "--poll-interval", "20ms",
                        "--download-partial", out_dir.string()});
    BOOST_TEST(watched.exit_code == 10); // cancelled
    BOOST_TEST(boost::json::parse(watched.out).at("status").as_string() == "cancelled");
    BOOST_TEST(watched.err.find("cancelling -> cancelled") != std::string::npos);
    const auto final_batch = server->find_batch(id).value();
    BOOST_REQUIRE(final_batch.output_file_id.has_value());
    BOOST_TEST(std::filesystem::exists(out_dir / (*final_batch.output_file_id + ".jsonl")));

    auto downloaded = cli({"download", *final_batch.output_file_id});
    BOOST_TEST(downloaded.exit_code == 0);
    BOOST_TEST(downloaded.out == server->file_content(*final_batch.output_file_id).value());
}

BOOST_FIXTURE_TEST_CASE(exit_codes_say_what_went_wrong, cli_fixture)
{
    auto missing = cli({"get", "batch_missing"});
    BOOST_TEST(missing.exit_code == 3);
    BOOST_TEST(missing.err.find("404") != std::string::npos);
    BOOST_TEST(missing.err.find("req_") != std::string::npos);

    auto bad_key = cli({"get", "batch_x"}, "sk-wrong-secret");
    BOOST_TEST(bad_key.exit_code == 3);
    BOOST_TEST(bad_key.err.find("sk-wrong-secret") == std::string::npos);

    BOOST_TEST(cli({"frobnicate"}).exit_code == 2);
    BOOST_TEST(cli({"list", "--limit", "0"}).exit_code == 2);
    BOOST_TEST(cli({"get"}).exit_code == 2);
    BOOST_TEST(cli({"get", "--help"}).exit_code == 0);

    auto no_tls = cli({"--base-url", "https://127.0.0.1:1/v1", "get", "batch_x"});
    BOOST_TEST(no_tls.exit_code == 4);

    server->add_fault({.route = "GET /v1/batches/{id}", .count = 0, .kind = emulator::fault_kind::stall_headers});
    auto stalled = cli({"--timeout-per-attempt", "200ms", "--max-retries", "0", "get", "batch_x"});
    BOOST_TEST(stalled.exit_code == 5);
}

BOOST_FIXTURE_TEST_CASE(watch_exit_status_says_how_the_batch_ended, cli_fixture)
{
    // A batch that does not end while the test runs (1e-4 requests per second): --timeout
    // ends the watch with exit status 5, the last snapshot still on stdout.
    // (10 requests at 1e-4 per second would need 27.8 emulated hours: more than the window.)
    const auto good = server->put_file("in.jsonl", "batch", test::make_input_jsonl(10)).id;
    const auto running = server->put_batch({.input_file_id = good, .endpoint = "/v1/chat/completions"}).id;
    auto timed_out = cli({"watch", running, "--timeout", "1s", "--poll-interval", "20ms"});
    BOOST_TEST(timed_out.exit_code == 5);
    BOOST_TEST(boost::json::parse(timed_out.out).at("id").as_string() == running);
    BOOST_TEST(server->find_batch(running)->is_terminal() == false);
    BOOST_TEST(server->request_count("POST /v1/batches/{id}/cancel") == 0u); // watch never cancels

    // An input file that fails validation (1 emulated second, under 2 ms here): 11.
    const auto bad = server->put_file("bad.jsonl", "batch", "not json\n").id;
    const auto failing = server->put_batch({.input_file_id = bad, .endpoint = "/v1/chat/completions"}).id;
    auto failed = cli({"watch", failing, "--poll-interval", "20ms"});
    BOOST_TEST(failed.exit_code == 11);
    const auto failed_json = boost::json::parse(failed.out);
    BOOST_TEST(failed_json.at("status").as_string() == "failed");
    BOOST_TEST(failed_json.at("id").as_string() == failing);

    // The completion window (24 emulated hours) passes while it is in progress: 12.
    server->advance(std::chrono::hours(25));
    BOOST_TEST(server->find_batch(running)->status == batch_status::expired);
    auto expired = cli({"watch", running, "--poll-interval", "20ms"});
    BOOST_TEST(expired.exit_code == 12);
    BOOST_TEST(boost::json::parse(expired.out).at("status").as_string() == "expired");

    // `cancel --watch` of a batch that has already ended prints it and exits by its status.
    auto cancel_ended = cli({"cancel", failing, "--watch", "--poll-interval", "20ms"});
    BOOST_TEST(cancel_ended.exit_code == 11);
    BOOST_TEST(boost::json::parse(cancel_ended.out).at("status").as_string() == "failed");
}

BOOST_FIXTURE_TEST_CASE(every_command_has_help, cli_fixture)
{
    auto top = cli({"--help"});
    BOOST_TEST(top.exit_code == 0);
    BOOST_TEST(top.err.empty());
    // The commands the top-level help lists: "  name  summary" lines after "Commands:".
    std::vector<std::string> listed;
    const auto begin = top.out.find("Commands:\n");
    BOOST_REQUIRE(begin != std::string::npos);
    for (std::size_t pos = begin + 10; pos < top.out.size();) {
        const auto eol = top.out.find('\n', pos);
        const std::string line = top.out.substr(pos, eol - pos);
        if (line.empty())
            break;
        const auto name_begin = line.find_first_not_of(' ');
        listed.push_back(line.substr(name_begin, line.find(' ', name_begin) - name_begin));
        pos = eol + 1;
    }
    const std::vector<std::string> expected{"get",    "cancel", "watch", "list",    "create",
                                            "upload", "download", "file", "results", "webhook"};
    BOOST_TEST(listed == expected, boost::test_tools::per_element());

    // Each command's own options, as its help must show them.
    const std::map<std::string, std::vector<std::string>> options{
        {"get", {}},
        {"cancel", {"--watch", "--timeout D", "--download-partial DIR", "--results DIR", "--input FILE"}},
        {"watch", {"--timeout D", "--download-partial DIR"}},
        {"list", {"--limit N", "--after ID", "--all"}},
        {"create",
         {"--input-file FILE_ID", "--endpoint PATH", "--completion-window W", "--metadata K=V",
          "--idempotency-key KEY"}},
        {"upload", {"--purpose P"}},
        {"download", {"-o, --output PATH"}},
        {"file", {}},
        {"results", {"--input FILE", "--resubmit FILE", "--resubmit-failed", "-o, --output FILE"}},
        {"webhook", {"--listen ADDR:PORT", "--path PATH", "--tls-cert FILE", "--tls-key FILE"}},
    };
    for (const auto& name : listed) {
        BOOST_TEST_CONTEXT("batchwire " << name << " --help")
        {
            auto h = cli({name, "--help"});
            BOOST_TEST(h.exit_code == 0);
            BOOST_TEST(h.err.empty());
            BOOST_TEST(h.out.starts_with("Usage: batchwire [GLOBAL OPTIONS] " + name), h.out);
            const auto it = options.find(name);
            BOOST_REQUIRE(it != options.end());
            for (const auto& o : it->second)
                BOOST_TEST(h.out.find(o) != std::string::npos, "option " << o);
            BOOST_TEST((h.out.find("Options:\n") != std::string::npos) == !it->second.empty());
            // The same text whichever way it is asked for, and without needing a key.
            auto word = cli({"help", name});
            BOOST_TEST(word.exit_code == 0);
            BOOST_TEST(word.out == h.out);
            auto keyless = cli({name, "-h"}, "");
            BOOST_TEST(keyless.exit_code == 0);
            BOOST_TEST(keyless.out == h.out);
        }
    }
    BOOST_TEST(server->request_count() == 0u); // help never calls the API
}

BOOST_AUTO_TEST_SUITE_END()

#endif // BATCHWIRE_CLI_PATH
