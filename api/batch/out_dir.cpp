#include "api/batch/out_dir.hpp"

#include "api/batch/checkpoint.hpp"
#include "api/batch/manifest.hpp"
#include "api/batch/ord_csv.hpp"

#include <optional>

namespace tanhui::api::batch {

namespace fs = std::filesystem;

namespace {

// What DIR holds of earlier runs.
struct Found {
    bool checkpoints = false;       // .checkpoint/run.txt
    bool same_checkpoints = false;  // ... of this run
    std::size_t saved_chunks = 0;
    std::optional<std::string> manifest;  // its run_sha256
    std::vector<std::string> outputs;     // batch files present (besides the manifest)
};

Found look(const fs::path& dir, const std::string& checkpoint_hash) {
    Found f;
    const fs::path checkpoints = dir / ".checkpoint";
    if (const auto run = read_file(checkpoints / "run.txt")) {
        f.checkpoints = true;
        f.same_checkpoints = run->find(checkpoint_hash) != std::string::npos;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(checkpoints, ec))
            if (e.path().extension() == ".bin") ++f.saved_chunks;
    }
    f.manifest = manifest_identity(dir);
    for (const auto& name : batch_file_names())
        if (name != manifest_name && fs::exists(dir / name)) f.outputs.push_back(name);
    return f;
}

std::string listed(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < 4; ++i) s += (i ? ", " : "") + names[i];
    return names.size() > 4 ? s + ", ..." : s;
}

// Why DIR cannot take this run, or "" when it can.
std::string refusal(const BatchOptions& o, const Found& f, const std::string& identity) {
    const std::string dir = o.out.string();
    if (f.checkpoints) {
        if (f.same_checkpoints && o.resume) return "";
        if (f.same_checkpoints)
            return dir + "/.checkpoint holds " + std::to_string(f.saved_chunks) +
                   " saved chunks of this same run (an interrupted run): add --resume to continue from them, or --replace "
                   "to discard them and start afresh";
        return std::string(o.resume ? "--resume: " : "") + dir +
               "/.checkpoint holds checkpoints of another run (portfolio, years, seed, model version, layout or tanhui "
               "build differ): use another --out, or --replace to discard them";
    }
    if (f.manifest)
        return *f.manifest == identity ? ""
                                       : dir + " holds the files of another run (" + manifest_name +
                                             "): use another --out, or --replace to replace them";
    if (!f.outputs.empty())
        return dir + " holds batch outputs (" + listed(f.outputs) +
               ") of an unknown run (no manifest.json): use another --out, or --replace to replace them";
    return "";
}

// The files a batch writes in DIR, and with `checkpoints` its .checkpoint too.
void remove_batch_files(const fs::path& dir, bool checkpoints) {
    if (checkpoints) fs::remove_all(dir / ".checkpoint");
    for (const auto& name : batch_file_names()) fs::remove(dir / name);
}

void remove_temporaries(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(e.path(), ec);
}

}  // namespace

std::string prepare_out_dir(const BatchOptions& options, const RunKeys& keys) {
    const fs::path checkpoints = options.out / ".checkpoint";
    try {
        fs::create_directories(options.out);
        // Temporary files of a killed run (AtomicFile names them NAME.tmp-PID).
        remove_temporaries(options.out);
        remove_temporaries(checkpoints);
        const Found found = look(options.out, keys.checkpoint_hash);
        if (const std::string why = refusal(options, found, keys.identity); !why.empty()) {
            if (!options.replace) return "refused: " + why;
            remove_batch_files(options.out, true);
        } else if (found.manifest != keys.identity && (found.manifest || !found.outputs.empty())) {
            // --resume on this run's checkpoints beside outputs not of this run (a run killed while
            // writing them, or one with other layers or --policy-ylt): they go, so that no file of
            // another run stays beside the new manifest.
            remove_batch_files(options.out, false);
        }
        if (!options.resume) fs::remove_all(checkpoints);
        fs::create_directories(checkpoints);
        write_file_atomic(checkpoints / "run.txt", std::string(run_magic) + keys.checkpoint_hash + "\n" + keys.description);
    } catch (const std::exception& e) {
        std::string status = e.what();
        return status.empty() ? "cannot prepare " + options.out.string() : status;
    }
    return "";
}

}  // namespace tanhui::api::batch
