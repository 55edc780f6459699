import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  // node:sqlite is a Node built-in: keep it out of the bundle.
  serverExternalPackages: [],
  devIndicators: false,
};

export default config;
