# Stand-in for mcr.microsoft.com/dotnet/aspnet, built by deploy/standins.sh: the same layout (shared runtime under
# /usr/share/dotnet, dotnet on PATH, non-root user app with UID 1654), this machine's runtime.
ARG BASE
FROM ${BASE}
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid 1654 --create-home --shell /bin/false app
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
