// 01: cancel one batch.
//
// The C++ counterpart of the official Python SDK's
//
//     client.batches.cancel("batch_abc123")
//
// usage: example_01_cancel_one <batch_id>
//
// Configuration comes from the environment, as in the official SDKs:
//   OPENAI_API_KEY   required
//   OPENAI_BASE_URL  optional; the emulator prints its own (https://127.0.0.1:PORT/v1)
//   SSL_CERT_FILE    optional; a CA bundle to trust (the emulator's ca_file). OpenSSL's
//                    default verify paths honour it; verification itself is always on.

#include <batchwire/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;

// The whole job, as a coroutine. `co_await c.cancel(id)` sends POST /batches/{id}/cancel,
// retrying transient failures like the SDKs do, and throws batchwire::exception on failure.
asio::awaitable<void> cancel_one(batchwire::client& c, std::string batch_id)
{
    batchwire::batch b = co_await c.cancel(batch_id);

    // Normally `cancelling`: the API takes up to 10 minutes to reach `cancelled`
    // (example 02 watches it get there).
    std::cout << "id:     " << b.id << '\n' << "status: " << batchwire::to_string(b.status) << '\n';
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <batch_id>\n";
        return 2;
    }
    try {
        // One io_context, run on this thread. The client never creates threads of its own.
        asio::io_context ctx;
        batchwire::client c(ctx, batchwire::client_options::from_env());

        // co_spawn starts the coroutine; use_future hands its outcome (or its exception)
        // back to main once ctx.run() has run out of work.
        auto done = asio::co_spawn(ctx, cancel_one(c, argv[1]), asio::use_future);
        ctx.run();
        done.get(); // rethrows what cancel_one threw
        return 0;
    } catch (const batchwire::exception& e) {
        // what() is one line: "404 not_found (invalid_request_error): No batch found ... [request id ...]".
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
