#include "command_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <optional>

namespace batchwire::cli {

namespace asio = boost::asio;

exit_status run_command(const command_job& job, const global_settings& settings)
{
    asio::io_context ctx;
    std::optional<client> api;
    try {
        api.emplace(ctx, make_client_options(settings));
    } catch (...) {
        return report_exception(std::current_exception(), false);
    }
    command_env env{*api, settings};

    asio::cancellation_signal cancel;
    asio::signal_set signals(ctx, SIGINT);
    bool interrupted = false;
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec)
            return; // the command ended first
        interrupted = true;
        // Terminal cancellation reaches the operation the command is waiting on (the watch,
        // a request), which completes with error::cancelled and unwinds the command.
        cancel.emit(asio::cancellation_type::terminal);
        // If that ever hangs, a second Ctrl-C must still end the process.
        signals.async_wait([](const boost::system::error_code& again, int) {
            if (!again)
                std::_Exit(static_cast<int>(exit_status::interrupted));
        });
    });

    std::optional<exit_status> result;
    asio::co_spawn(ctx, job(env),
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, exit_status status) {
                       result = e ? report_exception(e, interrupted) : status;
                       signals.cancel();
                       // Nothing else matters now: idle connections and timers must not
                       // keep the process alive.
                       ctx.stop();
                   }));
    ctx.run();
    return result.value_or(exit_status::other_error);
}

} // namespace batchwire::cli
