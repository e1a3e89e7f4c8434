// The emulator on several threads with concurrent clients (run under TSan: --run_test=@threads).
#include "emulator_test_client.hpp"

#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace emulator_test;
namespace em = batchwire::emulator;

BOOST_AUTO_TEST_SUITE(emulator_threads)

BOOST_AUTO_TEST_CASE(concurrent_clients_on_a_multi_threaded_server, *boost::unit_test::label("threads"))
{
    em::emulator_options o;
    o.time_scale = 1000; // batches move while the clients work
    o.validating_duration = std::chrono::seconds(1);
    o.requests_per_second = 100;
    running_emulator emu(o, 3);
    auto& s = emu.server;
    auto flaky = em::fault_rule{};
    flaky.route = "GET /v1/batches/{id}";
    flaky.kind = em::fault_kind::http_status;
    flaky.status = 503;
    flaky.count = 0;
    flaky.probability = 0.2;
    s.add_fault(flaky);
    s.fail_lines([](std::string_view id) { return id.ends_with('3'); });

    constexpr int clients = 6;
    constexpr int rounds = 8;
    std::atomic<int> failures{0};
    std::atomic<int> batches{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < clients; ++w) {
        workers.emplace_back([&, w] {
            test_client c(s);
            const std::string boundary = "bnd" + std::to_string(w);
            for (int i = 0; i < rounds; ++i) {
                const auto up = c.request("POST", "/v1/files",
                                          multipart_upload(boundary, "in.jsonl", chat_lines(5), "batch"), {},
                                          "multipart/form-data; boundary=" + boundary);
                if (up.status != 200u) {
                    ++failures;
                    continue;
                }
                const std::string file_id(up.json().at("id").as_string());
                const auto created = c.post("/v1/batches", R"({"input_file_id":")" + file_id +
                                                               R"(","endpoint":"/v1/chat/completions",)"
                                                               R"("completion_window":"24h"})");
                if (created.status != 200u) {
                    ++failures;
                    continue;
                }
                ++batches;
                const std::string id(created.json().at("id").as_string());
                for (int k = 0; k < 3; ++k) {
                    const auto got = c.get("/v1/batches/" + id);
                    if (got.status != 200u && got.status != 503u)
                        ++failures;
                }
                if (i % 2 == 0) {
                    // 409 when the batch already finished: the clock runs 1000x.
                    const auto cancel = c.post("/v1/batches/" + id + "/cancel");
                    if (cancel.status != 200u && cancel.status != 409u)
                        ++failures;
                }
                if (c.get("/v1/batches?limit=5").status != 200u)
                    ++failures;
                if (i % 3 == 0)
                    c.close(); // new connections too
            }
        });
    }
    // Meanwhile, the test thread observes and changes the server.
    for (int i = 0; i < 20; ++i) {
        (void)s.request_count();
        (void)s.open_connections();
        (void)s.now();
        s.advance(std::chrono::seconds(1));
        s.set_poll_after_hint(std::chrono::milliseconds(100 + i));
    }
    for (auto& t : workers)
        t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(batches.load() == clients * rounds);
    BOOST_TEST(s.request_count("POST /v1/batches") == static_cast<std::size_t>(clients * rounds));
    BOOST_TEST(s.faults_applied() > 0u);

    // Every batch reaches a terminal status once emulated time has passed.
    s.advance(std::chrono::hours(25));
    test_client c(s);
    std::size_t terminal = 0;
    std::optional<std::string> after;
    for (;;) {
        const auto page = boost::json::value_to<batchwire::batch_page>(
            c.get("/v1/batches?limit=100" + (after ? "&after=" + *after : std::string())).json());
        for (const auto& b : page.data)
            terminal += b.is_terminal() ? 1 : 0;
        after = page.next_cursor();
        if (!after)
            break;
    }
    BOOST_TEST(terminal == static_cast<std::size_t>(clients * rounds));
}

BOOST_AUTO_TEST_CASE(stop_from_another_thread_while_clients_are_connected, *boost::unit_test::label("threads"))
{
    auto emu = std::make_unique<running_emulator>(em::emulator_options{}, 2);
    std::vector<std::unique_ptr<test_client>> idle;
    for (int i = 0; i < 10; ++i) {
        idle.push_back(std::make_unique<test_client>(emu->server));
        BOOST_TEST(idle.back()->get("/v1/batches").status == 200u);
    }
    BOOST_TEST(emu->server.open_connections() == 10u);
    std::thread stopper([&] { emu->server.stop(); });
    stopper.join();
    emu.reset();
    for (auto& c : idle) {
        const auto [ec, bytes] = c->read_to_end();
        BOOST_TEST(!is_timeout(ec));
    }
}

BOOST_AUTO_TEST_SUITE_END()
