# shellcheck shell=bash
# What both launchers share: ./catsdogs (a checkout, builds with Maven) and bin/catsdogs (the
# installed tarball, docs/install.md). Sourced, not run. Each launcher sets first: $root (the
# directory that holds models/, spark/conf/ and this file), $flavor (cpu, or gpu: without the CPU
# libtorch) and $cpu_hint (how to get the cpu flavor, for the commands that need it).

# catsdogs_command COMMAND: which module runs COMMAND, and how. Sets
#   module     trainer, bench or spark: whose jar and class path run it;
#   main       the main class;
#   consumes   1 when the main class is the command itself (drop the command word), 0 when the
#              main class takes it as a subcommand (the trainer's summary, train, ...);
#   java_opts  JVM options the command needs.
# Exits 2 when COMMAND needs the cpu flavor and this is the gpu one.
catsdogs_command() {
  module=trainer
  main=dev.catsdogs.trainer.cli.CatsDogs
  consumes=0
  java_opts=()
  case "${1:-}" in
    bench | bench-train | bench-footprint)
      # The bench module: JMH (its forks inherit this environment), the training benchmark lab,
      # and the installation's footprint (needs a checkout and Maven).
      if [[ "$1" == bench && "$flavor" == gpu ]]; then
        echo "catsdogs: bench measures the CPU path; $cpu_hint" >&2
        exit 2
      fi
      module=bench
      consumes=1
      case "$1" in
        bench) main=dev.catsdogs.bench.BenchCommand ;;
        bench-train) main=dev.catsdogs.bench.train.BenchTrainCommand ;;
        bench-footprint) main=dev.catsdogs.bench.footprint.FootprintCommand ;;
      esac
      ;;
    score | bench-score)
      # The spark module: score (an embedded local Spark by default, or --master URL) and
      # bench-score (score against classify on the same photos). No DJL, so either flavor.
      module=spark
      consumes=1
      main=dev.catsdogs.spark.cli.ScoreCommand
      [[ "$1" == bench-score ]] && main=dev.catsdogs.spark.bench.BenchScoreCommand
      # What Spark's own scripts pass on Java 17 (org.apache.spark.launcher.JavaModuleOptions).
      java_opts=(-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false
        -Dio.netty.tryReflectionSetAccessible=true)
      local opened
      for opened in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio \
        java.util java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch \
        sun.nio.cs sun.security.action sun.util.calendar; do
        java_opts+=("--add-opens=java.base/$opened=ALL-UNNAMED")
      done
      # The client JIT only: this JVM's work is native (ONNX Runtime, OpenCV); C2 spent 35 CPU-s
      # compiling Spark's one-time code paths in a 56 s bench-score on 2 cores (JFR), time taken
      # from the model. CATSDOGS_JAVA_OPTS=-XX:TieredStopAtLevel=4 restores it.
      java_opts+=(-XX:TieredStopAtLevel=1)
      # The commands' logging (Spark's warnings and errors only); not in the jar, so that apps and
      # clusters that use the spark module keep their own.
      java_opts+=(-Dlog4j2.configurationFile="$root/spark/conf/log4j2.properties")
      ;;
  esac
}

# catsdogs_environment: the process environment every command runs in. Preloads jemalloc (PyTorch
# on CPU is ~10x slower with glibc malloc), says once when jemalloc or libturbojpeg is missing,
# makes Java decode file names as UTF-8, and keeps DJL offline unless the gpu flavor must
# download the CUDA libtorch. Sets $offline (the value of -Dai.djl.offline).
catsdogs_environment() {
  local jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 warned
  if [[ -f "$jemalloc" ]]; then
    export LD_PRELOAD="$jemalloc${LD_PRELOAD:+:$LD_PRELOAD}"
    export MALLOC_CONF="${MALLOC_CONF:-retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1}"
  else
    warned="${XDG_CACHE_HOME:-$HOME/.cache}/catsdogs/.jemalloc-warned"
    if [[ ! -f "$warned" ]]; then
      echo "catsdogs: warning: jemalloc not found; PyTorch on CPU runs about 10x slower." >&2
      echo "catsdogs: install it with: sudo apt-get install -y libjemalloc2" >&2
      mkdir -p "$(dirname "$warned")" && touch "$warned"
    fi
  fi

  # ldconfig is in sbin, which a user's PATH may lack.
  if ! PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so'; then
    warned="${XDG_CACHE_HOME:-$HOME/.cache}/catsdogs/.turbojpeg-warned"
    if [[ ! -f "$warned" ]]; then
      echo "catsdogs: note: libturbojpeg not found; JPEG decoding falls back to OpenCV's (same pixels; preprocessing ~2.3x slower)." >&2
      echo "catsdogs: install it with: sudo apt-get install -y libturbojpeg0" >&2
      mkdir -p "$(dirname "$warned")" && touch "$warned"
    fi
  fi

  # Java decodes file names with the locale's charset: under LANG=C, non-ASCII names would be lost.
  if [[ "$(locale charmap 2>/dev/null)" != "UTF-8" ]]; then
    export LC_ALL=C.UTF-8
  fi

  # DJL stays offline, except that --gpu may download the CUDA libtorch once. For --gpu the setting
  # is only the system property (DJL reads DJL_OFFLINE first), which train --torch (a local
  # PyTorch, so nothing to download) turns back on.
  if [[ "$flavor" == gpu ]]; then
    offline=false
    unset DJL_OFFLINE
  else
    offline=true
    export DJL_OFFLINE=true
  fi
}
