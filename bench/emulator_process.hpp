#ifndef BATCHWIRE_BENCH_EMULATOR_PROCESS_HPP
#define BATCHWIRE_BENCH_EMULATOR_PROCESS_HPP

// The emulator as a child process, so that the benchmark's own getrusage counts the client
// only. Reads the emulator's first line ({"base_url", "ca_file"}); stops it on destruction.

#include <string>
#include <vector>

namespace batchwire::bench {

class emulator_process {
public:
    explicit emulator_process(const std::vector<std::string>& extra_args);
    ~emulator_process();
    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    const std::string& base_url() const { return base_url_; }
    const std::string& ca_file() const { return ca_file_; }
    // The emulator's own user + system CPU time so far, in microseconds (/proc/PID/stat).
    long long cpu_time_us() const;

private:
    int pid_ = -1;
    std::string base_url_;
    std::string ca_file_;
};

// Peak resident set size of this process, in KiB.
long peak_rss_kib();
// Current resident set size, in KiB (from /proc/self/statm).
long current_rss_kib();
// User + system CPU time of this process, in microseconds.
long long cpu_time_us();

} // namespace batchwire::bench

#endif
