package org.udpknock.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the version the build wrote into the jar's manifest (Implementation-Version,
 * pom.xml's version), so no string in the code can go stale.
 */
final class BuildVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = BuildVersion.class.getPackage().getImplementationVersion();
    return new String[] {"udpknock " + (version == null ? "(unknown version: not run from the built jar)" : version)};
  }
}
