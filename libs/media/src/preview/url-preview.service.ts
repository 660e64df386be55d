import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig, type UrlPreviewConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { GuardedFetch, type FetchedResource } from './guarded-fetch';
import { IpPolicy } from './ip-policy';
import { parseOpenGraph, type OpenGraph } from './open-graph';
import { PreviewFetchError, previewError } from './preview-errors';
import { PreviewImageStore } from './preview-image-store';
import { UrlPreviewRepository } from './url-preview.repository';

const MAX_URL_LENGTH = 2048;

/**
 * `GET /preview_url` (spec CS API): the Open Graph data of a page, or the metadata of an image,
 * fetched by the server under docs/media.md's "URL previews" rules and cached per URL.
 */
@Injectable()
export class UrlPreviewService implements OnModuleDestroy {
  private readonly logger = new Logger(UrlPreviewService.name);
  private readonly settings: UrlPreviewConfig;
  private readonly fetcher: GuardedFetch;

  constructor(
    @Inject(HEARTH_CONFIG) config: HearthConfig,
    private readonly cache: UrlPreviewRepository,
    private readonly images: PreviewImageStore,
  ) {
    this.settings = config.media.urlPreviews;
    this.fetcher = new GuardedFetch(new IpPolicy(this.settings));
  }

  async onModuleDestroy(): Promise<void> {
    await this.fetcher.close();
  }

  async preview(rawUrl: unknown, rawTs: unknown): Promise<OpenGraph> {
    // Synapse, previews off: the endpoint is not there for the client, after authentication
    if (!this.settings.enabled) throw MatrixError.unrecognized();
    const url = previewUrl(rawUrl);
    checkTs(rawTs);
    const now = Date.now();
    const cached = await this.cache.findFresh(url.href, now);
    if (cached) return cached;
    const og = await this.fetchPreview(url).catch((error: unknown) => {
      if (!(error instanceof PreviewFetchError)) throw error;
      this.logger.debug(`no preview of a URL: ${error.reason} (${error.message})`);
      throw previewError(error);
    });
    await this.cache.save(url.href, og, now, now + this.settings.cacheMs);
    return og;
  }

  private async fetchPreview(url: URL): Promise<OpenGraph> {
    const resource = await this.fetch(url);
    const type = mediaType(resource.contentType);
    if (type.startsWith('image/')) return this.images.keep(resource.body, type);
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return {};
    const og = parseOpenGraph(decodeText(resource.body, resource.contentType), resource.url);
    const image = og['og:image'];
    delete og['og:image'];
    return typeof image === 'string' ? { ...og, ...(await this.keepImage(image)) } : og;
  }

  /** The page's og:image kept as our media; a page whose image cannot be had is previewed without one. */
  private async keepImage(imageUrl: string): Promise<OpenGraph> {
    try {
      const image = await this.fetch(new URL(imageUrl));
      const type = mediaType(image.contentType);
      return type.startsWith('image/') ? await this.images.keep(image.body, type) : {};
    } catch (error) {
      if (!(error instanceof PreviewFetchError)) throw error;
      this.logger.debug(`preview image left out: ${error.reason} (${error.message})`);
      return {};
    }
  }

  private fetch(url: URL): Promise<FetchedResource> {
    return this.fetcher.fetch(url, {
      maxBytes: this.settings.maxPageBytes,
      maxRedirects: this.settings.maxRedirects,
      signal: AbortSignal.timeout(this.settings.timeoutMs),
    });
  }
}

function previewUrl(raw: unknown): URL {
  if (raw === undefined || raw === '') throw MatrixError.missingParam('Missing string query parameter "url"');
  if (typeof raw !== 'string' || raw.length > MAX_URL_LENGTH || !URL.canParse(raw))
    throw MatrixError.invalidParam('url must be an absolute URL');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw MatrixError.invalidParam('Only http and https URLs can be previewed');
  url.hash = '';
  return url;
}

/** `ts` asks for a preview as of a time; we keep only the latest, so it is checked and otherwise unused. */
function checkTs(raw: unknown): void {
  if (raw !== undefined && !(typeof raw === 'string' && /^\d{1,15}$/.test(raw)))
    throw MatrixError.invalidParam('ts must be a timestamp in milliseconds');
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function decodeText(bytes: Buffer, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
