# The lltp-flow app image: one image, three services (api, workers, monitor) chosen by the
# command. Built by docker-compose.yml; TypeScript compiled at build time, no dev packages.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: see tools/ensure-deps.sh (the lock lacks other platforms' optional binaries)
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY workers ./workers
COPY processes ./processes
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY processes ./processes
COPY templates ./templates
USER node
EXPOSE 3000
ENTRYPOINT ["node", "dist/server/main.js"]
CMD ["api"]
