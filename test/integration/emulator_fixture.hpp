#ifndef BATCHWIRE_TEST_EMULATOR_FIXTURE_HPP
#define BATCHWIRE_TEST_EMULATOR_FIXTURE_HPP

// An emulator on its own thread and io_context, and a client io_context for the test
// thread; `run` drives a coroutine on the client context to completion.

#include "run_to_completion.hpp"

#include <batchwire/client.hpp>
#include <batchwire/emulator/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <optional>
#include <thread>

namespace batchwire::test {

inline emulator::emulator_options fast_emulator_options()
{
    emulator::emulator_options o;
    o.manual_clock = true;
    o.start_time = 1'700'000'000;
    return o;
}

struct emulator_fixture {
    explicit emulator_fixture(emulator::emulator_options o = fast_emulator_options())
    {
        server.emplace(server_ctx.get_executor(), std::move(o));
        server->start();
        server_thread = std::thread([this] { server_ctx.run(); });
    }
    ~emulator_fixture()
    {
        server->stop();
        server_thread.join();
    }
    emulator_fixture(const emulator_fixture&) = delete;

    // Options for a client of this emulator: its CA, the emulator's key, and retries that
    // back off in milliseconds rather than seconds.
    client_options client_opts() const
    {
        client_options o;
        o.base_url = server->base_url();
        o.api_key = "sk-emulator";
        o.tls.ca_pem = server->ca_pem();
        o.retry.initial_backoff = std::chrono::milliseconds(1);
        o.retry.max_backoff = std::chrono::milliseconds(4);
        return o;
    }

    template <class T>
    T run(boost::asio::awaitable<T> aw)
    {
        return run_to_completion(ctx, std::move(aw));
    }

    boost::asio::io_context server_ctx;
    std::optional<emulator::server> server;
    std::thread server_thread;
    boost::asio::io_context ctx; // the client's
};

// A JSONL input file of n chat-completion requests.
inline std::string make_input_jsonl(int n)
{
    std::string s;
    for (int i = 0; i < n; ++i)
        s += R"({"custom_id":"req-)" + std::to_string(i) +
             R"(","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}})"
             "\n";
    return s;
}

} // namespace batchwire::test

#endif
