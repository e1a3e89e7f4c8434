#include "watch_display.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace batchwire::cli {

namespace {

using std::chrono::system_clock;

std::string clock_time(system_clock::time_point tp)
{
    if (tp == system_clock::time_point{})
        tp = system_clock::now();
    const std::time_t t = system_clock::to_time_t(tp);
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    const std::size_t n = std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return std::string(text, n);
}

// The wire name, so that a status newer than this build still shows as sent.
std::string status_name(const batch_transition& t)
{
    return t.snapshot.status_text.empty() ? std::string(to_string(t.to)) : t.snapshot.status_text;
}

std::string counts_text(const batch_request_counts& c)
{
    return "completed " + std::to_string(c.completed) + "/" + std::to_string(c.total) + " failed " +
           std::to_string(c.failed);
}

} // namespace

std::string transition_line(const batch_transition& t)
{
    std::string line = clock_time(t.seen_at);
    line += ' ';
    if (t.from && !t.progress_only) {
        line += to_string(*t.from);
        line += " -> ";
    }
    line += status_name(t);
    if (t.snapshot.request_counts) {
        line += "  ";
        line += counts_text(*t.snapshot.request_counts);
    }
    return line;
}

std::string progress_bar(const batch_request_counts& counts, std::string_view status, std::size_t width)
{
    const std::int64_t total = std::max<std::int64_t>(counts.total, 0);
    const std::int64_t done = std::clamp<std::int64_t>(counts.completed + counts.failed, 0, total);
    const std::int64_t percent = total > 0 ? done * 100 / total : 0;

    std::string tail = "  " + std::to_string(done) + "/" + std::to_string(total) + "  " + std::to_string(percent) + "%";
    if (counts.failed > 0)
        tail += "  " + std::to_string(counts.failed) + " failed";
    tail += "  ";
    tail += status;

    // Stay off the last column: writing there makes some terminals wrap.
    const std::size_t usable = width > 1 ? width - 1 : 0;
    const std::size_t room = usable > tail.size() + 2 ? usable - tail.size() - 2 : 0;
    const std::size_t cells = std::min<std::size_t>(room, 50);
    if (cells < 10) {
        std::string_view bare = std::string_view(tail).substr(2); // no bar: just the numbers
        return std::string(bare.substr(0, usable));
    }
    const auto filled =
        total > 0 ? static_cast<std::size_t>(done * static_cast<std::int64_t>(cells) / total) : std::size_t{0};
    return "[" + std::string(filled, '#') + std::string(cells - filled, '-') + "]" + tail;
}

bool is_terminal(std::FILE* f) { return ::isatty(::fileno(f)) == 1; }

watch_display::watch_display(std::FILE* out, bool live) : out_(out), live_(live) {}

watch_display::~watch_display() { finish(); }

void watch_display::show(const batch_transition& t)
{
    status_ = status_name(t);
    if (t.snapshot.request_counts)
        counts_ = *t.snapshot.request_counts;
    if (!live_) {
        print_line(transition_line(t));
        return;
    }
    if (!t.progress_only)
        print_line(transition_line(t));
    draw_bar();
}

void watch_display::show_poll_error(const boost::system::error_code& ec, const diagnostics& diag)
{
    note(clock_time(system_clock::now()) + " poll failed, retrying: " + describe(ec, diag));
}

void watch_display::note(std::string_view text)
{
    const bool redraw = bar_shown_;
    print_line(text);
    if (redraw)
        draw_bar();
}

void watch_display::finish()
{
    clear_bar();
    std::fflush(out_);
}

void watch_display::print_line(std::string_view text)
{
    clear_bar();
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

void watch_display::clear_bar()
{
    if (!bar_shown_)
        return;
    std::fputs("\r\033[K", out_); // back to column 0, erase the line
    bar_shown_ = false;
}

void watch_display::draw_bar()
{
    if (!live_)
        return;
    const std::string bar = progress_bar(counts_.value_or(batch_request_counts{}), status_, terminal_width());
    std::fputs("\r\033[K", out_);
    std::fwrite(bar.data(), 1, bar.size(), out_);
    std::fflush(out_);
    bar_shown_ = true;
}

std::size_t watch_display::terminal_width() const
{
    winsize ws{};
    if (::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

} // namespace batchwire::cli
