#ifndef BATCHWIRE_CLI_WATCH_DISPLAY_HPP
#define BATCHWIRE_CLI_WATCH_DISPLAY_HPP

// What `watch` shows on stderr while it waits: one timestamped line per transition
//   12:01:02 in_progress -> cancelling  completed 40/300 failed 2
// and, on a terminal, a progress bar of request_counts redrawn in place below them.
// Elsewhere (a pipe, a file, or with --verbose) progress changes are plain lines too.

#include <batchwire/batch.hpp>
#include <batchwire/error.hpp>
#include <batchwire/watch.hpp>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::cli {

// "12:01:02 in_progress -> cancelling  completed 40/300 failed 2" (local time); the first
// snapshot has no arrow, and the counts are left out when the batch has none.
std::string transition_line(const batch_transition& t);

// "[########------------]  40/300  13%  2 failed  in_progress", at most `width` columns.
std::string progress_bar(const batch_request_counts& counts, std::string_view status, std::size_t width);

class watch_display {
public:
    // `live`: draw the progress bar in place (out must be a terminal).
    watch_display(std::FILE* out, bool live);
    ~watch_display();
    watch_display(const watch_display&) = delete;
    watch_display& operator=(const watch_display&) = delete;

    void show(const batch_transition& t);
    // A failed poll that the watch retries.
    void show_poll_error(const boost::system::error_code& ec, const diagnostics& diag);
    // Any other line, printed above the bar.
    void note(std::string_view text);
    // Removes the bar; later output starts on a clean line.
    void finish();

private:
    void print_line(std::string_view text);
    void clear_bar();
    void draw_bar();
    std::size_t terminal_width() const;

    std::FILE* out_;
    bool live_;
    bool bar_shown_ = false;
    std::optional<batch_request_counts> counts_;
    std::string status_;
};

// True when `f` is a terminal.
bool is_terminal(std::FILE* f);

} // namespace batchwire::cli

#endif
