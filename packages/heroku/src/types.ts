// The parts of Heroku's schema this package reads (see GET /schema: app, source, build, slug, release,
// pipeline-coupling, pipeline-promotion, pipeline-promotion-target).

export interface HerokuApp {
  id: string;
  name: string;
  web_url: string | null;
  maintenance?: boolean;
}

export interface HerokuSource {
  source_blob: { get_url: string; put_url: string };
}

export interface HerokuBuild {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  output_stream_url: string;
  release: { id: string } | null;
  slug: { id: string } | null;
  source_blob: { url: string; version: string | null; checksum?: string | null };
}

export interface HerokuRelease {
  id: string;
  version: number;
  status: 'pending' | 'succeeded' | 'failed' | 'expired';
  current: boolean;
  eligible_for_rollback: boolean;
  description: string;
  output_stream_url: string | null;
  slug: { id: string } | null;
  created_at?: string;
}

export interface HerokuSlug {
  id: string;
  commit: string | null;
}

export interface HerokuCoupling {
  id: string;
  app: { id: string };
  pipeline: { id: string };
  stage: string;
}

export interface HerokuPromotion {
  id: string;
  status: 'pending' | 'completed';
}

export interface HerokuPromotionTarget {
  id: string;
  app: { id: string };
  status: 'pending' | 'succeeded' | 'failed';
  error_message: string | null;
  release: { id: string } | null;
}
