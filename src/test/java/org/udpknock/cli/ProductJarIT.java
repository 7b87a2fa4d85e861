package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jars (issue 11, item 7): udpknock.jar carries the product only, none of the
 * benchmarks' code (src/bench/java), which ships in udpknock-bench.jar; --version is the build's.
 */
class ProductJarIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  private static final Path BENCH_JAR = Path.of("target", "udpknock-bench.jar");
  private static final Path BENCH_SOURCES = Path.of("src", "bench", "java");

  @TempDir Path dir;

  @Test
  void theProductJarHasNoClassOfTheBenchSources() throws IOException {
    Set<String> benchClasses = benchClassNames();
    assertTrue(benchClasses.contains("org/udpknock/bench/FloodCapture"), "bench sources: " + benchClasses);
    Set<String> shipped = new TreeSet<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      jar.stream().map(entry -> entry.getName())
          .filter(name -> name.startsWith("org/udpknock/bench/")
              || benchClasses.contains(name.replaceFirst("(\\$.*)?\\.class$", "")))
          .forEach(shipped::add);
    }
    assertEquals(Set.of(), shipped, "benchmark code in " + JAR);
    try (JarFile bench = new JarFile(BENCH_JAR.toFile())) {
      for (String name : benchClasses) {
        assertNotNull(bench.getEntry(name + ".class"), name + " missing from " + BENCH_JAR);
      }
    }
  }

  @Test
  void theVersionIsTheBuildsFromTheManifest() throws Exception {
    String version = System.getProperty("udpknock.version");
    assertNotNull(version, "run by failsafe, which passes pom.xml's version as udpknock.version");
    Result run = run(javaCommand(), "-jar", JAR.toString(), "--version");
    assertEquals(0, run.code, run.err);
    assertEquals("udpknock " + version, run.out.strip());
  }

  @Test
  void theProductCliHasNoBenchCommandOrOption() throws Exception {
    Result help = run(javaCommand(), "-jar", JAR.toString(), "--help");
    assertFalse(help.out.contains("generate-flood"), help.out);
    Result flood = run(javaCommand(), "-jar", JAR.toString(), "generate-flood", dir.resolve("flood.pcap").toString());
    assertEquals(2, flood.code, "generate-flood is not the product's: " + flood.out);
    Result knockHelp = run(javaCommand(), "-jar", JAR.toString(), "knock", "--help");
    for (String option : List.of("--rounds", "--warmup-rounds", "--latency-report", "--max-pause", "--witness-file")) {
      assertFalse(knockHelp.out.contains(option), knockHelp.out);
      Result knock = run(javaCommand(), "-jar", JAR.toString(), "knock", "127.0.0.1", "--no-connect", option, "1");
      assertEquals(2, knock.code, option + " is not the product's: " + knock.err);
    }
  }

  /** The bench jar runs on its own with the product's jar beside it (its manifest's Class-Path). */
  @Test
  void theBenchJarRunsBesideTheProductJar() throws Exception {
    Path capture = dir.resolve("flood.pcap");
    Result run = run(javaCommand(), "-jar", BENCH_JAR.toString(), "generate-flood", "--sources", "10",
        "--valid", "2", "--noise-packets", "20", capture.toString());
    assertEquals(0, run.code, run.err);
    assertTrue(run.out.startsWith("wrote " + capture + ": "), run.out);
    assertTrue(Files.size(capture) > 24, "more than a pcap header");
  }

  /** The class names (path form, no .class) the bench sources define at top level. */
  private static Set<String> benchClassNames() throws IOException {
    try (Stream<Path> files = Files.walk(BENCH_SOURCES)) {
      return files.filter(file -> file.toString().endsWith(".java"))
          .map(file -> BENCH_SOURCES.relativize(file).toString().replaceFirst("\\.java$", ""))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private record Result(int code, String out, String err) {}

  private Result run(String... command) throws IOException, InterruptedException {
    for (String argument : command) {
      assertTrue(!argument.endsWith(".jar") || Files.exists(Path.of(argument)), "run after 'mvn package': " + argument);
    }
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(err.toFile()).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), String.join(" ", command));
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
